"""``safemall report MALL [--plan FILE …] [--lang zh|en] [--out DIR]``: the manager's report.

Writes ``report-<lang>.html`` (self-contained), ``report-<lang>.pdf`` (headless
Chromium), ``report.json`` (everything the page shows) and keeps its runs in
``report.db`` (resumable: running it again only runs what is missing). Documented in
``docs/report.md``. Exit status: 0 when every plan is compliant, 1 when one is not,
2 on bad input.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from sim.errors import ScenarioError


def report(
    mall: Annotated[Path, typer.Argument(help="The mall folder (layout.toml, security.toml).",
                                         show_default=False)],
    plan: Annotated[list[Path] | None, typer.Option(
        "--plan", help="A security plan of the mall, or another mall folder (its layout "
        "and plan); repeat to compare two on the same scenarios and seeds.")] = None,
    lang: Annotated[str, typer.Option(help="zh or en.")] = "en",
    out: Annotated[Path | None, typer.Option(
        help="Output folder (default: reports/<mall>).")] = None,
    replications: Annotated[int, typer.Option(
        help="Runs per scenario and plan (targets and the comparison).")] = 6,
    staffing_replications: Annotated[int, typer.Option(
        help="Runs per candidate guard count.")] = 10,
    staffing_values: Annotated[str | None, typer.Option(
        help="Candidate guard counts, e.g. 16,32,48,64,80 (default: 25-125 % of "
        "SM-1.3b's number).")] = None,
    barrier_replications: Annotated[int, typer.Option(
        help="Runs per road entrance and variant.")] = 3,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 2,
    seed: Annotated[int, typer.Option(help="Root seed of every run.")] = 2017,
    db: Annotated[Path | None, typer.Option(
        help="Results database (default: OUT/report.db); a sensitivity study stored here "
        "is shown in the report.")] = None,
    scenario: Annotated[list[Path] | None, typer.Option(
        "--scenario", help="Only these scenario files (default: every scenario of the "
        "mall, by the naming rule of check --dynamic).")] = None,
    staffing: Annotated[bool, typer.Option(help="Run the staffing study.")] = True,
    barriers: Annotated[bool, typer.Option(help="Rank the entrances for bollards.")] = True,
    drawings: Annotated[bool, typer.Option(help="Draw the plans on every level.")] = True,
    pdf: Annotated[bool, typer.Option(help="Print the PDF with headless Chromium.")] = True,
) -> int:
    """One bilingual report per mall: compliance, targets, staffing, bollards, assumptions."""
    from sim.batch.executors import InlinePool, LocalPool
    from sim.batch.store import Store
    from sim.report.build import ReportOptions, build

    if lang not in ("zh", "en"):
        raise ScenarioError(f"expected zh or en, got {lang!r}", field="--lang",
                            source="<command line>")
    for name, v in (("--replications", replications),
                    ("--staffing-replications", staffing_replications),
                    ("--barrier-replications", barrier_replications)):
        if v < 1:
            raise ScenarioError(f"must be >= 1, got {v}", field=name, source="<command line>")
    if not mall.is_dir():
        raise ScenarioError("no such mall folder", source=str(mall))
    values = _values(staffing_values)
    out_dir = out or Path("reports") / mall.resolve().name
    out_dir.mkdir(parents=True, exist_ok=True)
    db_path = db or out_dir / "report.db"
    opt = ReportOptions(replications=replications, staffing_replications=staffing_replications,
                        staffing_values=values, barrier_replications=barrier_replications,
                        seed=seed, workers=workers, scenarios=scenario or None,
                        staffing=staffing, barriers=barriers)
    t0 = time.perf_counter()
    _announce(mall, plan or [], opt)
    backend = InlinePool() if workers == 0 else LocalPool(workers)
    store = Store(db_path)
    try:
        rep = build(mall, plan or [], opt, store, backend, progress=_progress(),
                    db_path=str(db_path))
    except KeyboardInterrupt:
        print(f"interrupted; finished runs are kept in {db_path} (run again to resume)",
              file=sys.stderr)
        raise typer.Exit(130) from None
    finally:
        backend.close()
        store.close()
    rep["command"] = _command(mall, plan or [], lang, out_dir, opt)
    files = write_outputs(rep, lang, out_dir, drawings=drawings, pdf=pdf)
    elapsed = time.perf_counter() - t0
    _summary(rep, files, elapsed)
    return 1 if any(p["compliance"]["verdict"] == "fail" for p in rep["plans"]) else 0


def _values(text: str | None) -> list[int] | None:
    if not text:
        return None
    try:
        vals = sorted({int(v) for v in text.split(",") if v.strip()})
    except ValueError:
        raise ScenarioError(f"expected whole numbers like 16,32,64, got {text!r}",
                            field="--staffing-values", source="<command line>") from None
    if not vals or vals[0] < 0:
        raise ScenarioError("give guard counts >= 0", field="--staffing-values",
                            source="<command line>")
    return vals


def _announce(mall: Path, plans: list[Path], opt: Any) -> None:
    from sim.report.build import mall_scenarios, resolve_plans

    inputs = resolve_plans(mall, plans)
    found = mall_scenarios(mall, opt)
    n_scn = len(inputs) * len(found) * opt.replications
    print(f"report on {mall}: {len(inputs)} plan(s) × {len(found)} scenarios × "
          f"{opt.replications} runs = {n_scn} runs; staffing: up to "
          f"{len(opt.staffing_values or [0] * 6)} candidates × {opt.staffing_replications} "
          f"runs; barriers: 2 × {opt.barrier_replications} runs per road entrance "
          f"(stored runs are reused)", file=sys.stderr)


def _progress() -> Any:
    last: dict[str, float] = {}

    def show(stage: str, done: int, failed: int, total: int) -> None:
        frac = done / total if total else 1.0
        if frac - last.get(stage, -1.0) >= 0.1 or done == total:
            last[stage] = frac
            print(f"{stage}: {done}/{total} runs" + (f", {failed} failed" if failed else ""),
                  file=sys.stderr, flush=True)
    return show


def _command(mall: Path, plans: list[Path], lang: str, out: Path, opt: Any) -> str:
    parts = ["safemall", "report", str(mall)]
    for p in plans:
        parts += ["--plan", str(p)]
    parts += ["--lang", lang, "--out", str(out), "--replications", str(opt.replications),
              "--staffing-replications", str(opt.staffing_replications),
              "--barrier-replications", str(opt.barrier_replications), "--seed", str(opt.seed)]
    if opt.staffing_values:
        parts += ["--staffing-values", ",".join(map(str, opt.staffing_values))]
    return " ".join(parts)


def write_outputs(rep: dict[str, Any], lang: str, out_dir: Path, *, drawings: bool = True,
                  pdf: bool = True) -> list[Path]:
    """The HTML (figures drawn here), the JSON and the PDF."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.report.html import render_html
    from viz import fonts
    from viz import report_figures as rf

    cjk = fonts.use_cjk_in_figures()
    fig_lang = lang if cjk or lang == "en" else "en"
    figs: dict[str, str] = {}
    if rep.get("staffing"):
        figs["staffing"] = rf.png(rf.staffing_figure(rep["staffing"], fig_lang))
    if rep.get("comparison"):
        f = rf.comparison_figure(rep["comparison"]["rows"], fig_lang)
        if f is not None:
            figs["comparison"] = rf.png(f)
    if rep.get("barriers"):
        p0 = rep["plans"][0]["compliance"]["clauses"]
        miss = next((c.get("facts", {}).get("missing", []) for c in p0 if c["id"] == "SM-1.5"),
                    [])
        f = rf.barrier_figure(rep["barriers"]["rows"], miss, fig_lang)
        if f is not None:
            figs["barriers"] = rf.png(f)
    if drawings:
        from sim.io.layout_files import load_layout
        from sim.io.security_files import load_security_plan

        for p in rep["plans"]:
            lay = load_layout(p["layout"])
            figs.update(rf.plan_drawings(lay, load_security_plan(p["security"], lay),
                                         p["label"]))
    page = render_html(rep, lang, figs, fonts=fonts.css_font_stack())
    css = fonts.embedded_font_css(page) if lang == "zh" or cjk else None
    if css:
        page = render_html(rep, lang, figs, font_css=css, fonts=fonts.css_font_stack())
    else:
        print("note: no CJK font found (install fonts-noto-cjk or set SAFEMALL_CJK_FONT): "
              "the page relies on the reader's fonts for Chinese, figures use English",
              file=sys.stderr)
    html_path = out_dir / f"report-{lang}.html"
    html_path.write_text(page, encoding="utf-8")
    json_path = out_dir / "report.json"
    json_path.write_text(json.dumps(rep, ensure_ascii=False, indent=1, default=_json),
                         encoding="utf-8")
    files = [html_path, json_path]
    if pdf:
        from viz.chromium import find_chromium, print_pdf

        if find_chromium() is None:
            print("note: chromium not found (apt-get install chromium): no PDF written",
                  file=sys.stderr)
        else:
            files.append(print_pdf(html_path, out_dir / f"report-{lang}.pdf"))
    return files


def _json(o: Any) -> Any:
    if isinstance(o, Path):
        return str(o)
    raise TypeError(type(o).__name__)


def _summary(rep: dict[str, Any], files: list[Path], elapsed: float) -> None:
    from sim.report.html import change_text, verdict_key
    from sim.report.i18n import tr

    for p in rep["plans"]:
        c = p["compliance"]["counts"]
        judged = [j for j in p["compliance"].get("dynamic", {}).get("targets", [])
                  if j.get("status") in ("pass", "fail")]
        n_fail = sum(1 for j in judged if j["status"] == "fail")
        word = tr(verdict_key(p["compliance"]), "en")
        print(f"plan {p['label']} ({p['name']}): {word}"
              f" — clauses: {c['fail']} of {c['pass'] + c['fail']} judged fail; "
              f"simulated targets: {n_fail} of {len(judged)} fail")
        cl = {x["id"]: x for x in p["compliance"]["clauses"]}
        for i, ch in enumerate(p.get("changes", [])[:3], 1):
            print(f"  {i}. {change_text(ch, 'en', cl)[0]}")
    st = rep.get("staffing")
    if st:
        ans = st["answer"]
        print(f"staffing ({st['scenario']}): "
              + (f"{ans} guards meet every target" if ans is not None
                 else "no candidate meets every target"))
    print("written: " + ", ".join(str(f) for f in files))
    print(f"report took {elapsed:.0f} s")


def register(app: typer.Typer) -> None:
    """Attach ``report`` to the CLI."""
    app.command("report")(report)
