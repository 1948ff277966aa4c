"""The manager's report: one bilingual answer per mall (``safemall report``).

* :mod:`sim.report.text` — counted nouns, metric labels and units, number formatting.
* :mod:`sim.report.i18n` — the report's words in English and Chinese, and the plan's terms.
* :mod:`sim.report.formulas` — each static requirement's formula with its numbers.
* :mod:`sim.report.build` — runs the analyses and collects what the report shows.
* :mod:`sim.report.compare` — two plans on the same scenarios, paired over common seeds.
* :mod:`sim.report.changes` — the most important changes, ranked.
* :mod:`sim.report.html` — the self-contained HTML page (images are given to it).

Pure core: nothing here draws, prints or reads files; the CLI (``sim/cli/report_cmd.py``)
loads the inputs and ``viz`` draws the pictures.
"""
