"""The compliance report: a JSON mapping and one self-contained HTML page.

The HTML has inline CSS, images as base64 PNG data URIs (made by the caller, e.g. the
CLI with matplotlib and :func:`viz.plan.draw_plan`: this module draws nothing), no
scripts and no external links, so it reads offline and prints on A4. It shows the
verdict, what to change, the clause table, the dynamic targets with their
distributions, and the plan with the shortfalls outlined in red.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from sim.analysis.compliance.model import ClauseResult, summarise, verdict
from sim.model.layout import Layout

if TYPE_CHECKING:
    from sim.analysis.compliance.dynamic import DynamicResult
    from sim.analysis.compliance.inputs import CheckInputs
    from sim.analysis.compliance.static import CheckOptions

SCHEMA: Final = "safemall/compliance/1"


def shortfalls(layout: Layout, results: Sequence[ClauseResult]) -> tuple[list[str], list[str]]:
    """Spaces and openings named as falling short by failed clauses (for the plan)."""
    sp: dict[str, None] = {}
    op: dict[str, None] = {}
    for r in results:
        if r.status != "fail":
            continue
        for s in r.missing.spaces:
            if s in layout.spaces:
                sp[s] = None
        for o in r.missing.openings:
            if o in layout.openings:
                op[o] = None
    return list(sp), list(op)


def build_report(inp: CheckInputs, results: Sequence[ClauseResult], options: CheckOptions,
                 dynamic: DynamicResult | None = None) -> dict[str, Any]:
    """The JSON report (schema ``safemall/compliance/1``)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        sim_version = version("safemall")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        sim_version = "unknown"

    static_v = verdict(list(results))
    dyn_fail = dynamic is not None and any(j.status == "fail" for j in dynamic.judgements)
    remedies = [{"clause": r.id, "remedy": x} for r in results if r.status == "fail"
                for x in r.remedies]
    if dynamic is not None:
        for j in dynamic.judgements:
            if j.status == "fail":
                remedies.append({"clause": j.target.id, "remedy":
                                 f"{j.scenario}: {j.target.title.lower()} is not met "
                                 f"({j.actual}; target {j.required}); see clauses "
                                 f"{', '.join(j.target.clauses) or '—'}"})
    sp, op = shortfalls(inp.layout, results)
    p = options.period
    return {
        "schema": SCHEMA,
        "sim_version": sim_version,
        "generated_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "mall": inp.layout.mall.name,
        "layout": str(inp.layout_path),
        "security": str(inp.plan_path),
        "plan_name": inp.plan.name,
        "drills": str(inp.log_path) if inp.log_path else None,
        "sales_area_m2": round(inp.layout.sales_area_m2, 1),
        "options": {"reading": options.reading, "group_distance_m": options.group_distance_m,
                    "group_size": list(options.group_size),
                    "team_size": list(options.team_size),
                    "guards_per_set": options.guards_per_set,
                    "period": [p.start.isoformat(), p.end.isoformat()] if p else None},
        "verdict": "fail" if static_v == "fail" or dyn_fail else "pass",
        "static_verdict": static_v,
        "dynamic_verdict": None if dynamic is None else ("fail" if dyn_fail else "pass"),
        "counts": summarise(list(results)),
        "clauses": [r.to_json() for r in results],
        "dynamic": dynamic.to_json() if dynamic is not None else None,
        "remedies": remedies,
        "highlighted": {"spaces": sp, "openings": op},
    }


_CSS: Final = """
body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;font-size:12px;color:#222;
margin:18px auto;max-width:1180px;padding:0 12px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:22px 0 6px;border-bottom:1px solid #bbb}
.meta{color:#555;margin:0 0 10px}.meta td{padding:1px 10px 1px 0}
.verdict{display:inline-block;padding:8px 18px;font-size:22px;font-weight:bold;border-radius:4px;
color:#fff;margin:6px 0}.verdict.pass{background:#2e7d32}.verdict.fail{background:#c62828}
.counts span{margin-right:14px}
table.t{border-collapse:collapse;width:100%;margin:4px 0}
table.t th,table.t td{border:1px solid #ccc;padding:3px 5px;vertical-align:top;text-align:left}
table.t th{background:#eee}
.st{font-weight:bold;white-space:nowrap}.st.pass{color:#2e7d32}.st.fail{color:#c62828}
.st.not_specified{color:#b26a00}.st.not_applicable{color:#777}
tr.fail td{background:#fdecea}
.small{font-size:10px;color:#555}.id{white-space:nowrap;font-weight:bold}
.plots{display:flex;flex-wrap:wrap;gap:8px}.plots figure{margin:0;border:1px solid #ddd;padding:4px}
.plots figcaption{font-size:10px;max-width:260px}
img.plan{max-width:100%;border:1px solid #ccc}
ul.rem li{margin:2px 0}
@media print{body{margin:0;max-width:none;font-size:10px}h2{page-break-after:avoid}
tr{page-break-inside:avoid}img.plan{page-break-before:always;max-height:95vh}}
"""


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _ev(ev: Mapping[str, Sequence[str]], n: int = 10) -> str:
    parts = []
    for key in ("spaces", "openings", "devices", "notes"):
        items = list(ev.get(key, ()))
        if items:
            shown = "; ".join(items[:n]) if key == "notes" else ", ".join(items[:n])
            more = f" (+{len(items) - n})" if len(items) > n else ""
            parts.append(f"<b>{key}</b>: {_e(shown)}{more}")
    return "<br>".join(parts)


def render_html(rep: Mapping[str, Any], figures: Mapping[str, str] | None = None) -> str:
    """The self-contained HTML page of a report (``figures``: base64 PNGs by key)."""
    figs = dict(figures or {})
    v = rep["verdict"]
    c = rep["counts"]
    out: list[str] = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Safe Mall compliance: {_e(rep['mall'])}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Safe Mall compliance report: {_e(rep['mall'])}</h1>",
        '<table class="meta">',
    ]
    for k, label in (("plan_name", "plan"), ("security", "security plan"),
                     ("layout", "layout"), ("drills", "drill log"),
                     ("sales_area_m2", "sales area (m²)"), ("generated_utc", "generated (UTC)"),
                     ("sim_version", "SafeMall")):
        out.append(f"<tr><td>{_e(label)}</td><td>{_e(rep.get(k) or '—')}</td></tr>")
    o = rep["options"]
    out.append(f"<tr><td>readings</td><td>SM-1.3b {o['reading']}; groups within "
               f"{o['group_distance_m']:g} m; equipment 1 set per {o['guards_per_set']} guards"
               "</td></tr></table>")
    out.append(f'<div id="verdict" class="verdict {v}" data-verdict="{v}">'
               f"{'PASS' if v == 'pass' else 'FAIL'}</div>")
    out.append('<p class="counts">' + "".join(
        f'<span class="st {k}">{_e(k.replace("_", " "))}: {n}</span>' for k, n in c.items())
        + (f'<span>dynamic targets: {_e(rep["dynamic_verdict"])}</span>'
           if rep.get("dynamic_verdict") else "") + "</p>")
    if v == "pass" and c.get("not_specified"):
        out.append(f"<p>Every clause the files can show is met; {c['not_specified']} clauses "
                   "need a document review or a drill log (listed as <i>not specified</i>).</p>")
    rem = rep.get("remedies") or []
    out.append("<h2>What to change</h2>")
    if rem:
        out.append('<ul class="rem" id="remedies">' + "".join(
            f"<li><b>{_e(r['clause'])}</b>: {_e(r['remedy'])}</li>" for r in rem) + "</ul>")
    else:
        out.append('<p id="remedies">Nothing: no clause fails.</p>')
    out.append("<h2>Clauses</h2>")
    out.append('<table class="t" id="clauses"><thead><tr><th>clause</th><th>title</th>'
               "<th>status</th><th>required</th><th>actual</th><th>evidence / shortfall</th>"
               "</tr></thead><tbody>")
    for r in rep["clauses"]:
        miss = _ev(r["missing"])
        evid = _ev(r["evidence"])
        cell = (f'<div class="small">{evid}</div>' if evid else "") + (
            f'<div><b style="color:#c62828">short:</b> {miss}</div>' if miss else "")
        out.append(f'<tr class="{r["status"]}" data-clause="{_e(r["id"])}" '
                   f'data-status="{r["status"]}"><td class="id">{_e(r["id"])}</td>'
                   f"<td>{_e(r['title'])}</td>"
                   f'<td class="st {r["status"]}">{_e(r["status"].replace("_", " "))}</td>'
                   f"<td>{_e(r['required'])}</td><td>{_e(r['actual'])}</td>"
                   f"<td>{cell}</td></tr>")
    out.append("</tbody></table>")
    dyn = rep.get("dynamic")
    if dyn is not None:
        out.append("<h2>Dynamic targets</h2>")
        out.append(f"<p>{dyn['replications']} replications per scenario, root seed "
                   f"{dyn['seed']}; scenarios: "
                   + (_e(", ".join(s["path"].split("/")[-1] for s in dyn["scenarios"]))
                      or "none") + "</p>")
        for n in dyn.get("notes", []):
            out.append(f'<p class="small">{_e(n)}</p>')
        out.append('<table class="t" id="targets"><thead><tr><th>target</th><th>scenario'
                   "</th><th>status</th><th>required</th><th>actual</th><th>tests</th></tr>"
                   "</thead><tbody>")
        for j in dyn["targets"]:
            out.append(f'<tr class="{j["status"]}" data-target="{_e(j["target"])}">'
                       f'<td class="id">{_e(j["target"])}</td><td>{_e(j["scenario"])}</td>'
                       f'<td class="st {j["status"]}">{_e(j["status"].replace("_", " "))}</td>'
                       f"<td>{_e(j['required'])}</td><td>{_e(j['actual'])}</td>"
                       f'<td class="small">{_e(", ".join(j["clauses"]))}: {_e(j["cites"])}'
                       "</td></tr>")
        out.append("</tbody></table>")
        plots = [(k, b) for k, b in figs.items() if k.startswith("dyn:")]
        if plots:
            out.append('<div class="plots">')
            for k, b in plots:
                _, tid, scn = k.split(":", 2)
                out.append(f'<figure><img alt="{_e(tid)} on {_e(scn)}" '
                           f'src="data:image/png;base64,{b}"><figcaption>{_e(tid)} — '
                           f"{_e(scn)} (red: target; dashed: estimate)</figcaption></figure>")
            out.append("</div>")
    out.append("<h2>Plan and shortfalls</h2>")
    hl = rep.get("highlighted", {})
    if figs.get("plan"):
        out.append(f'<img class="plan" alt="floor plan" src="data:image/png;base64,'
                   f'{figs["plan"]}">')
    else:
        out.append("<p>(plan drawing not available)</p>")
    if hl.get("spaces") or hl.get("openings"):
        out.append(f"<p>Outlined in red: spaces {_e(', '.join(hl.get('spaces', [])) or '—')};"
                   f" openings {_e(', '.join(hl.get('openings', [])) or '—')}.</p>")
    else:
        out.append("<p>No space or opening falls short.</p>")
    out.append('<p class="small">Clause IDs: docs/standards.md. Readings and rules: '
               "docs/compliance.md. A <i>not specified</i> clause is not a pass: it needs a "
               "document review or data the files do not hold.</p>")
    out.append("</body></html>")
    return "\n".join(out)
