"""Importers that turn floor plans held elsewhere into SafeMall layouts.

* :mod:`sim.io.importers.dxf`: AutoCAD DXF drawings, with a TOML layer map.
* :mod:`sim.io.importers.imdf`: Apple / OGC Indoor Mapping Data Format archives.
* :mod:`sim.io.importers.osm`: OpenStreetMap indoor data (Simple Indoor Tagging).
* :mod:`sim.io.importers.options`, :mod:`~sim.io.importers.infer`,
  :mod:`~sim.io.importers.repair`: what real data needs inferred, the user's repairs
  (``--fixes`` file) and the ranked list of what blocks a valid layout.
* :mod:`sim.io.importers.report`: the report of what an importer did not understand.

All return an :class:`ImportResult`: the layout mapping, the validated
:class:`~sim.model.layout.Layout` (or the one-line reason it does not validate) and the report.
"""

from sim.io.importers._draft import ImportResult
from sim.io.importers.report import Finding, ImportReport, report_path_for

__all__ = ["Finding", "ImportReport", "ImportResult", "report_path_for"]
