"""The manager's report as one self-contained HTML page, in English or Chinese.

Inline CSS, images as base64 data URIs (drawn by the caller: the CLI with :mod:`viz`),
an optional embedded font subset for the Chinese text (``font_css``), no scripts and no
external links: it reads offline and prints on A4 (headless Chromium turns it into the
PDF). The first page answers the manager's five questions; the sections after it hold
the evidence. Every section has an ``id`` (``answer``, ``changes``, ``comparison``,
``clauses``, ``targets``, ``staffing``, ``barriers``, ``sensitivity``, ``assumptions``,
``drawings``, ``method``) and the verdict carries ``data-verdict``, so tests and readers
can find them.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from sim.analysis.compliance.clauses import title as clause_title
from sim.analysis.compliance.dynamic import load_targets
from sim.report import formulas
from sim.report.i18n import GLOSSARY, WORDS, family, status, tr
from sim.report.text import fmt_number, metric_label

#: Section ids in page order.
SECTIONS: Final = ("answer", "changes", "comparison", "clauses", "targets", "staffing",
                   "barriers", "sensitivity", "assumptions", "drawings", "method")

_CSS: Final = """
@page{size:A4;margin:14mm 12mm}
body{font-family:%(fonts)s;font-size:11px;color:#1a1a1a;margin:16px auto;max-width:1100px;
padding:0 14px;line-height:1.4}
h1{font-size:21px;margin:0 0 2px}h2{font-size:15px;margin:20px 0 6px;
border-bottom:2px solid #333;padding-bottom:2px}h3{font-size:12.5px;margin:12px 0 4px}
.sub{color:#444;margin:0 0 8px}.meta{color:#333;margin:2px 0 10px;border-collapse:collapse}
.meta td{padding:1px 12px 1px 0;vertical-align:top}
.qa{border:1px solid #999;border-radius:3px;margin:6px 0;padding:5px 9px;page-break-inside:avoid}
.qa h3{margin:0 0 3px;font-size:12.5px}.qa p{margin:2px 0}
.badge{display:inline-block;padding:1px 8px;font-weight:bold;border-radius:3px;color:#fff;
border:1px solid #000}
.badge.pass{background:#1b5e20}.badge.fail{background:#b71c1c}
table.t{border-collapse:collapse;width:100%%;margin:4px 0 8px;font-size:10.5px}
table.t th,table.t td{border:1px solid #999;padding:2px 4px;vertical-align:top;text-align:left}
table.t th{background:#e8e8e8}td.n{text-align:right;white-space:nowrap}
.st{font-weight:bold;white-space:nowrap}.st.pass{color:#1b5e20}.st.fail{color:#b71c1c}
.st.not_specified{color:#8a5a00}.st.not_applicable{color:#666}
tr.fail td{background:#fbe9e7}.id{white-space:nowrap;font-weight:bold}
.small{font-size:9.5px;color:#444}.note{font-size:10px;color:#333;margin:3px 0}
figure{margin:6px 0;page-break-inside:avoid}figure img{max-width:100%%;border:1px solid #bbb}
figcaption{font-size:9.5px;color:#333}
ol.changes li{margin:3px 0}ol.top3 li{margin:2px 0;font-weight:bold}
ol.top3 li span{font-weight:normal}
.better{color:#1b5e20;font-weight:bold}.worse{color:#b71c1c;font-weight:bold}
.tie{font-weight:bold}.warn{color:#8a5a00}
section{page-break-before:always}section#answer{page-break-before:avoid}
@media print{body{margin:0;max-width:none;font-size:10px}h2{page-break-after:avoid}
tr{page-break-inside:avoid}}
"""


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _fmt(x: Any) -> str:
    return fmt_number(x) if isinstance(x, int | float) or x is None else str(x)


def _ci(mean: Any, ci: Sequence[Any]) -> str:
    if mean is None:
        return "—"
    lo, hi = (ci or [None, None])[:2]
    if lo is None or hi is None:
        return _fmt(mean)
    return f"{_fmt(mean)} [{_fmt(lo)}, {_fmt(hi)}]"


def _status(st: str, lang: str) -> str:
    return f'<span class="st {_e(st)}">{_e(status(st, lang))}</span>'


def _fields(fields: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Fields with nested ``x_key``/``x_fields`` pairs rendered as ``x``."""
    out = dict(fields)
    for k in [k for k in fields if k.endswith("_key")]:
        name = k[: -len("_key")]
        sub = fields.get(f"{name}_fields") or {}
        out[name] = tr(fields[k], lang, **_fields(sub, lang)) if fields[k] else ""
    return out


def change_text(ch: Mapping[str, Any], lang: str, clauses: Mapping[str, Any]) -> tuple[str, str]:
    """(what to do, why) of one change in ``lang``."""
    if ch["key"] == "clause":
        ids = ch.get("clauses") or [ch["fields"]["clause"]]
        rem: list[str] = []
        for cid in ids:
            for x in formulas.remedies(clauses.get(cid, {"id": cid, "status": "fail",
                                                        "remedies": ch.get("remedies", [])}),
                                       lang):
                if x not in rem:
                    rem.append(x)
        cid = ids[0]
        what = ("；" if lang == "zh" else "; ").join(rem) or clause_title(cid, lang)
        why = ("；" if lang == "zh" else "; ").join(
            tr("change_clause_why", lang, clause=c, title=clause_title(c, lang)) for c in ids)
        return what, why
    f = _fields(ch["fields"], lang)
    wf = _fields(ch.get("why_fields") or {}, lang)
    if "actual" in wf:
        wf["actual"] = actual_text(str(wf["actual"]), lang)
    if lang == "zh" and f.get("target_id"):
        zh = target_title_zh(f["target_id"])
        if zh:
            f["target"] = wf["target"] = zh
    what = tr(ch["key"], lang, **f) if ch["key"].startswith(("change_", "action_")) and \
        _known(ch["key"]) else tr("action_generic", lang, **f)
    why = tr(ch["why_key"], lang, **wf) if ch.get("why_key") else ""
    return what, why


def target_title_zh(tid: str) -> str:
    """A target's Chinese title (from the targets file), or ""."""
    return next((t.title_zh for t in load_targets() if t.id == tid), "")


def _known(key: str) -> bool:
    return key in WORDS



_ZH_ACTUAL: Final = (
    (re.compile(r" over (\d+) runs?"), r"（\1 次运行）"),
    (re.compile(r" \((\d+) without a value, counted as worst\)"),
     r"（其中 \1 次无数值，按最不利计）"),
    (re.compile(r" \((\d+) with no (\w+): ratio 0\)"), r"（其中 \1 次无 \2，比值计 0）"),
    (re.compile(r"= never"), "= 从未发生"),
    (re.compile(r"^not judged for (\w+)$"), r"不适用于 \1"),
    (re.compile(r"^metric not produced$"), "该情景不产生此指标"),
    (re.compile(r"^no (\w+) scenario for (\S+): its targets are not judged$"),
     r"\2 没有 \1 情景：其指标未判定"),
)


def actual_text(text: str, lang: str) -> str:
    """A judged estimate (``p95 = 65.14 s over 6 runs``) in ``lang``: the checker writes
    English, the Chinese report says the same in Chinese."""
    if lang != "zh":
        return text
    for pat, rep in _ZH_ACTUAL:
        text = pat.sub(rep, text)
    return text


def verdict_key(compliance: dict[str, Any]) -> str:
    """The i18n key of a plan's verdict: compliant; the clauses met but simulated targets
    missed (the plan satisfies the regulation, the simulation finds shortfalls); or not
    compliant (a clause fails)."""
    if compliance.get("verdict") == "pass":
        return "verdict_pass"
    if compliance.get("static_verdict") == "pass":
        return "verdict_targets"
    return "verdict_fail"

class _Page:
    """Builds the page section by section."""

    def __init__(self, rep: Mapping[str, Any], lang: str, figures: Mapping[str, str]) -> None:
        self.rep, self.lang, self.figs = rep, lang, dict(figures)
        self.out: list[str] = []

    def t(self, key: str, **kw: Any) -> str:
        return tr(key, self.lang, **kw)

    def w(self, *parts: str) -> None:
        self.out.extend(parts)

    def img(self, key: str, alt: str, caption: str = "") -> None:
        b64 = self.figs.get(key)
        if not b64:
            return
        self.w(f'<figure data-figure="{_e(key)}"><img alt="{_e(alt)}" '
               f'src="data:image/png;base64,{b64}">'
               + (f"<figcaption>{_e(caption)}</figcaption>" if caption else "") + "</figure>")

    # -- pieces ------------------------------------------------------------------------
    def plan_name(self, p: Mapping[str, Any]) -> str:
        lab = p["label"]
        word = self.t("plan_a") if lab == "A" else self.t("plan_b") if lab == "B" else lab
        return f"{word} ({p['name']})"

    def clauses_of(self, p: Mapping[str, Any]) -> dict[str, Any]:
        return {c["id"]: c for c in p["compliance"]["clauses"]}

    def counts(self, p: Mapping[str, Any]) -> dict[str, int]:
        c = p["compliance"]["counts"]
        dyn = p["compliance"].get("dynamic") or {}
        dts = dyn.get("targets", [])
        return {"fail": c["fail"], "pass_": c["pass"], "ns": c["not_specified"],
                "judged": c["pass"] + c["fail"],
                "dfail": sum(j["status"] == "fail" for j in dts),
                "djudged": sum(j["status"] in ("pass", "fail") for j in dts)}

    # -- sections ----------------------------------------------------------------------
    def head(self, font_css: str | None, fonts: str) -> None:
        r = self.rep
        lang_attr = "zh-CN" if self.lang == "zh" else "en"
        self.w("<!DOCTYPE html>", f'<html lang="{lang_attr}"><head><meta charset="utf-8">',
               f"<title>{_e(self.t('title', mall=r['mall']))}</title>",
               f"<style>{font_css or ''}{_CSS % {'fonts': fonts}}</style></head><body>",
               f'<h1 id="title">{_e(self.t("title", mall=r["mall"]))}</h1>',
               f'<p class="sub">{_e(self.t("subtitle"))}</p><table class="meta">')
        for p in r["plans"]:
            self.w(f"<tr><td>{_e(self.plan_name(p))}</td><td>{_e(p['security'])} "
                   f"({self.t('meta_layout')}: {_e(p['layout'])})</td></tr>")
        p0 = r["plans"][0]
        runs = r["runs"]
        n_runs = (runs.get("scenario_runs", 0) + runs.get("staffing_runs", 0)
                  + runs.get("barrier_runs", 0))
        self.w(f"<tr><td>{self.t('meta_sales_area')}</td><td>{p0['sales_area_m2']:,.0f} m²"
               "</td></tr>",
               f"<tr><td>{self.t('meta_runs')}</td><td>"
               + _e(self.t("meta_runs_value", runs=n_runs, new=runs.get("new", 0),
                           reused=max(0, n_runs - runs.get("new", 0)
                                      - runs.get("barrier_runs", 0)),
                           db=r.get("db") or "—", seconds=runs.get("seconds", "—")))
               + "</td></tr>",
               f"<tr><td>{self.t('meta_generated')}</td><td>{_e(r['generated_utc'])}; "
               f"{self.t('meta_version')} {_e(r['sim_version'])}</td></tr></table>")

    def answer(self) -> None:
        r, lang = self.rep, self.lang
        self.w('<section id="answer"><h2>' + self.t("answer") + "</h2>")
        # 1 compliant?
        self.w('<div class="qa" id="q-compliant"><h3>1. ' + self.t("q_compliant") + "</h3>")
        for i, p in enumerate(r["plans"]):
            v = p["compliance"]["verdict"]
            word = self.t(verdict_key(p["compliance"]))
            vid = ' id="verdict"' if i == 0 else ""
            badge = (f'<span class="badge {v}"{vid} data-verdict="{v}" '
                     f'data-plan="{p["label"]}">{_e(word)}</span>')
            self.w(f"<p>{badge} " + _e(self.t("compliant_line", plan=self.plan_name(p),
                                                verdict=word, **self.counts(p))) + "</p>")
        self.w("</div>")
        # 2 staffing
        self.w('<div class="qa" id="q-staffing"><h3>2. ' + self.t("q_staffing") + "</h3>")
        self.staffing_answer()
        self.w("</div>")
        # 3 bollards
        self.w('<div class="qa" id="q-bollards"><h3>3. ' + self.t("q_bollards") + "</h3>")
        self.bollards_answer()
        self.w("</div>")
        # 4 changes
        self.w('<div class="qa" id="q-changes"><h3>4. ' + self.t("q_changes") + "</h3>")
        for p in r["plans"]:
            chs = p.get("changes", [])[:3]
            self.w(f"<p><b>{_e(self.plan_name(p))}</b></p>")
            if not chs:
                self.w(f"<p>{self.t('no_changes')}</p>")
                continue
            self.w('<ol class="top3">')
            cl = self.clauses_of(p)
            for ch in chs:
                what, why = change_text(ch, lang, cl)
                self.w(f"<li>{_e(what)}<br><span class=\"small\">{_e(why)}</span></li>")
            self.w("</ol>")
        self.w("</div>")
        # 5 assumptions
        self.w('<div class="qa" id="q-assumptions"><h3>5. ' + self.t("q_assumptions") + "</h3>")
        self.assumptions_answer()
        self.w("</div></section>")

    def staffing_answer(self) -> None:
        r = self.rep
        st = r.get("staffing")
        # each plan's own guards against the staffing targets on the study's scenario
        for p in r["plans"]:
            dyn = p["compliance"].get("dynamic") or {}
            scn = st["scenario"] if st else None
            ids = {t["id"] for t in st["targets"]} if st else set()
            js = [j for j in dyn.get("targets", []) if j["scenario"] == scn
                  and j["target"] in ids]
            if js:
                ok = all(j["status"] == "pass" for j in js)
                self.w("<p>" + _e(self.t("staff_adequate", plan=self.plan_name(p),
                                         have=p["guards"], scenario=scn,
                                         meets=self.t("meets" if ok else "misses")))
                       + " " + "; ".join(f"{_e(self._ttitle(j))}: "
                                         f"{_e(actual_text(j['actual'], self.lang))} "
                                         f"{_status(j['status'], self.lang)}" for j in js)
                       + "</p>")
        if not st:
            mall = str(r["mall_dir"]).rstrip("/").split("/")[-1]
            self.w(f"<p class='warn'>{_e(self.t('staff_no_study', mall=mall))}</p>")
            return
        req = r["plans"][0]["compliance"]["clauses"]
        b: Mapping[str, Any] = next((c for c in req if c["id"] == "SM-1.3b"), {})
        required = (b.get("facts") or {}).get("required") or "—"
        if st["answer"] is not None:
            self.w("<p><b>" + _e(self.t("staff_answer", answer=st["answer"],
                                        required=required)) + "</b></p>")
            c = next(c for c in st["candidates"] if c["guards"] == st["answer"])
            share, lo, hi = c["share"]
            self.w("<p>" + _e(self.t("staff_confidence", answer=st["answer"], k=c["all_met"],
                                     n=c["n"], share=_pct(share), lo=_pct(lo),
                                     hi=_pct(hi))) + "</p>")
        else:
            top = st["candidates"][-1]["guards"] if st["candidates"] else "—"
            self.w("<p><b>" + _e(self.t("staff_none", top=top,
                                        binding=self._binding_text(st))) + "</b></p>")
        if st.get("binding"):
            self.w("<p>" + _e(self.t("staff_binding", target=self._target_title(
                st, st["binding"]["target"]), detail=self._binding_text(st))) + "</p>")
        if not st.get("monotone", True):
            vals = ", ".join(f"{c['guards']}: {'✓' if c['passed'] else '✗'}"
                             for c in st["candidates"])
            self.w(f"<p class='warn'>{_e(self.t('staff_not_monotone', values=vals))}</p>")

    def _ttitle(self, j: Mapping[str, Any]) -> str:
        if self.lang == "zh":
            zh = target_title_zh(j["target"])
            if zh:
                return zh
        return str(j.get("title", j["target"]))

    def _target_title(self, st: Mapping[str, Any], tid: str) -> str:
        t = next((t for t in st["targets"] if t["id"] == tid), None)
        if t is None:
            return tid
        return (t.get("title_zh") or t["title"]) if self.lang == "zh" else t["title"]

    def _binding_text(self, st: Mapping[str, Any]) -> str:
        b = st.get("binding") or {}
        if not b:
            return ""
        guards = "名保安" if self.lang == "zh" else "guards"
        return f"{b['at']} {guards}: {actual_text(b['actual'], self.lang)}"

    def bollards_answer(self) -> None:
        r = self.rep
        for p in r["plans"]:
            s15 = self.clauses_of(p).get("SM-1.5")
            if not s15:
                continue
            f = s15.get("facts") or {}
            miss = f.get("missing") or []
            txt = (self.t("bollards_missing", doors=", ".join(miss)) if miss else
                   self.t("bollards_none_missing", n=f.get("doors", 0)))
            self.w(f"<p><b>{_e(self.plan_name(p))}</b>: {_e(txt)}</p>")
        b = r.get("barriers")
        if not b:
            mall = str(r["mall_dir"]).rstrip("/").split("/")[-1]
            self.w(f"<p class='warn'>{_e(self.t('bollards_no_vehicle', mall=mall))}</p>")
            return
        top = [f"{x['entrance']} ({_fmt(x.get('prevented'))}, #{_rank(x)})"
               for x in b["rows"][:5]]
        self.w("<p>" + _e(self.t("bollards_rank", scenario=b["scenario"],
                                 reps=b["replications"], top="; ".join(top))) + "</p>")
        if any(x.get("tied") for x in b["rows"][:5]):
            self.w(f"<p class='small'>{_e(self.t('bollards_tie'))}</p>")

    def assumptions_answer(self) -> None:
        a = self.rep.get("assumptions") or {}
        sens = self.rep.get("sensitivity") or []
        if a.get("rows"):
            self.w("<p>" + _e(self.t("assumptions_lead", n=a["n"], assumed=a["assumed"]))
                   + "</p>")
            ranked = _ranked_keys(sens, a.get("scenario"))
            rows = a["rows"]
            if ranked:
                order = {k: i for i, k in enumerate(ranked)}
                rows = sorted(rows, key=lambda x: order.get(x["key"], 10**6))
                study = next(s["study"] for s in sens if s["scenario"] == a["scenario"])
                note = self.t("assumptions_ranked_by", study=study)
            else:
                note = self.t("assumptions_unranked", command=_sens_command(a["scenario"]))
            self.w("<ul>" + "".join(
                f"<li><code>{_e(x['key'])}</code> = {_fmt(x['value'])} {_e(x['unit'])} "
                f"({_e(_status_source(x, self.lang))})</li>" for x in rows[:5]) + "</ul>")
            self.w(f"<p class='small'>{_e(note)}</p>")
        ta = a.get("targets_assumed") or []
        if ta:
            self.w(f"<p class='small'>{_e(self.t('targets_assumed', ids=', '.join(ta)))}</p>")

    def changes(self) -> None:
        self.w('<section id="changes"><h2>' + self.t("sec_changes") + "</h2>")
        for p in self.rep["plans"]:
            self.w(f"<h3>{_e(self.plan_name(p))}</h3>")
            chs = p.get("changes", [])
            if not chs:
                self.w(f"<p>{self.t('no_changes')}</p>")
                continue
            cl = self.clauses_of(p)
            self.w(f'<table class="t changes" data-plan="{p["label"]}"><thead><tr>'
                   f"<th>#</th><th>{self.t('th_priority')}</th><th>{self.t('th_change')}</th>"
                   f"<th>{self.t('th_why')}</th></tr></thead><tbody>")
            for i, ch in enumerate(chs, 1):
                what, why = change_text(ch, self.lang, cl)
                prio = self.t("priority_" + str(ch["priority"]))
                self.w(f"<tr><td class='n'>{i}</td><td>{_e(prio)}</td><td>{_e(what)}</td>"
                       f"<td class='small'>{_e(why)}</td></tr>")
            self.w("</tbody></table>")
        self.w("</section>")

    def comparison(self) -> None:
        cmp_ = self.rep.get("comparison")
        if not cmp_:
            return
        r, lang = self.rep, self.lang
        pa, pb = r["plans"][0], r["plans"][1]
        self.w('<section id="comparison"><h2>' + self.t("sec_comparison") + "</h2>")
        note = self.t("comparison_note", reps=r["options"]["replications"])
        self.w(f"<p class='note'>{_e(note)}</p>")
        # clauses side by side
        ca, cb = self.clauses_of(pa), self.clauses_of(pb)
        self.w(f'<table class="t" id="compare-clauses"><thead><tr><th>{self.t("th_clause")}</th>'
               f"<th>{self.t('th_title')}</th><th>{_e(self.plan_name(pa))}</th>"
               f"<th>{_e(self.plan_name(pb))}</th></tr></thead><tbody>")
        for cid in ca:
            sa, sb = ca[cid]["status"], cb.get(cid, {}).get("status", "not_applicable")
            cls = ' class="fail"' if "fail" in (sa, sb) and sa != sb else ""
            self.w(f"<tr{cls}><td class='id'>{_e(cid)}</td><td>{_e(clause_title(cid, lang))}</td>"
                   f"<td>{_status(sa, lang)}</td><td>{_status(sb, lang)}</td></tr>")
        self.w("</tbody></table>")
        # targets side by side
        da = {(j["target"], j["scenario"]): j for j in
              (pa["compliance"].get("dynamic") or {}).get("targets", [])}
        db = {(j["target"], j["scenario"]): j for j in
              (pb["compliance"].get("dynamic") or {}).get("targets", [])}
        keys = [k for k in da if da[k]["status"] != "not_applicable"
                or db.get(k, {}).get("status", "not_applicable") != "not_applicable"]
        if keys:
            self.w(f'<table class="t" id="compare-targets"><thead><tr><th>{self.t("th_target")}'
                   f"</th><th>{self.t('th_scenario')}</th><th>{_e(self.plan_name(pa))}</th>"
                   f"<th>{_e(self.plan_name(pb))}</th></tr></thead><tbody>")
            for k in keys:
                ja, jb = da[k], db.get(k, {})
                self.w(f"<tr><td>{_e(self._ttitle(ja))}</td><td>{_e(k[1])}</td>"
                       f"<td>{_status(ja['status'], lang)} "
                       f"<span class='small'>{_e(actual_text(ja['actual'], self.lang))}</span></td>"
                       f"<td>{_status(jb.get('status', 'not_applicable'), lang)} "
                       f"<span class='small'>{_e(actual_text(jb.get('actual', ''), self.lang))}"
                       "</span></td></tr>")
            self.w("</tbody></table>")
        # paired differences
        rows = [x for x in cmp_["rows"] if x["n"] and (x["diff"] or x["verdict"] != "no_clear")]
        self.img("comparison", "paired differences")
        self.w(f'<table class="t" id="paired"><thead><tr><th>{self.t("th_scenario")}</th>'
               f"<th>{self.t('th_metric')}</th>"
               f"<th>{_e(self.plan_name(pa))} {self.t('th_mean')}</th>"
               f"<th>{_e(self.plan_name(pb))} {self.t('th_mean')}</th>"
               f"<th>{self.t('th_diff')}</th>"
               f"<th>{self.t('th_seeds')}</th><th>{self.t('th_verdict')}</th></tr></thead><tbody>")
        for x in rows:
            v = x["verdict"]
            cls = "better" if v == "better" else "worse" if v == "worse" else ""
            word = self.t("better" if v == "better" else "worse" if v == "worse" else "no_clear")
            self.w(f"<tr data-metric='{_e(x['metric'])}'><td>{_e(x['scenario'])}</td>"
                   f"<td>{_e(metric_label(x['metric']))}</td>"
                   f"<td class='n'>{_ci(x['mean_a'], x['ci_a'])}</td>"
                   f"<td class='n'>{_ci(x['mean_b'], x['ci_b'])}</td>"
                   f"<td class='n'>{_ci(x['diff'], x['diff_ci'])}</td>"
                   f"<td class='n'>{x['better']} / {x['worse']} ({x['n']})</td>"
                   f"<td class='{cls}'>{_e(word)}</td></tr>")
        self.w("</tbody></table></section>")

    def clauses(self) -> None:
        lang = self.lang
        self.w('<section id="clauses"><h2>' + self.t("sec_clauses") + "</h2>")
        self.w(f"<p class='note'>{_e(self.t('not_specified_note'))}</p>")
        for p in self.rep["plans"]:
            self.w(f"<h3>{_e(self.plan_name(p))}</h3>")
            self.w(f'<table class="t clauses" data-plan="{p["label"]}"><thead><tr>'
                   f"<th>{self.t('th_clause')}</th><th>{self.t('th_title')}</th>"
                   f"<th>{self.t('th_status')}</th><th>{self.t('th_formula')}</th>"
                   f"<th>{self.t('th_remedy')}</th></tr></thead><tbody>")
            for c in p["compliance"]["clauses"]:
                rem = formulas.remedies(c, lang)
                self.w(f'<tr class="{_e(c["status"])}" data-clause="{_e(c["id"])}" '
                       f'data-status="{_e(c["status"])}"><td class="id">{_e(c["id"])}</td>'
                       f"<td>{_e(clause_title(c['id'], lang))}</td>"
                       f"<td>{_status(c['status'], lang)}</td>"
                       f"<td>{_e(formulas.formula(c, lang))}</td>"
                       f"<td class='small'>{'<br>'.join(_e(x) for x in rem)}</td></tr>")
            self.w("</tbody></table>")
        self.img("shortfalls", "plan with shortfalls")
        self.w("</section>")

    def targets(self) -> None:
        r, lang = self.rep, self.lang
        self.w('<section id="targets"><h2>' + self.t("sec_targets") + "</h2>")
        note = self.t("targets_note", reps=r["options"]["replications"])
        self.w(f"<p class='note'>{_e(note)}</p>")
        for p in r["plans"]:
            dyn = p["compliance"].get("dynamic")
            if not dyn:
                continue
            self.w(f"<h3>{_e(self.plan_name(p))}</h3>")
            self.w(f'<table class="t targets" data-plan="{p["label"]}"><thead><tr>'
                   f"<th>{self.t('th_target')}</th><th>{self.t('th_scenario')}</th>"
                   f"<th>{self.t('th_status')}</th><th>{self.t('th_required')}</th>"
                   f"<th>{self.t('th_estimate')}</th></tr></thead><tbody>")
            for j in dyn["targets"]:
                if j["status"] == "not_applicable":
                    continue
                self.w(f'<tr class="{_e(j["status"])}" data-target="{_e(j["target"])}">'
                       f"<td>{_e(self._ttitle(j))} "
                       f"<span class='small'>({_e(', '.join(j['clauses']))})</span></td>"
                       f"<td>{_e(j['scenario'])} <span class='small'>"
                       f"{_e(family(j['family'], lang))}</span></td>"
                       f"<td>{_status(j['status'], lang)}</td><td>{_e(j['required'])}</td>"
                       f"<td>{_e(actual_text(j['actual'], self.lang))}</td></tr>")
            self.w("</tbody></table>")
            for n in dyn.get("notes", []):
                self.w(f"<p class='small'>{_e(actual_text(n, lang))}</p>")
        self.w("</section>")

    def staffing(self) -> None:
        st = self.rep.get("staffing")
        if not st:
            return
        lang = self.lang
        self.w('<section id="staffing"><h2>' + self.t("sec_staffing") + "</h2>")
        vals = ", ".join(str(c["guards"]) for c in st["candidates"])
        note = self.t("staffing_note", scenario=st["scenario"], values=vals,
                      reps=st["replications"], rule=self.t("deploy_rule_file"))
        self.w(f"<p class='note'>{_e(note)}</p>")
        self.img("staffing", "staffing study")
        heads = "".join(f"<th>{_e(self._target_title(st, t['id']))}<br><span class='small'>"
                        f"{_e(t['describe'])}</span></th>" for t in st["targets"])
        self.w(f'<table class="t" id="staffing-grid"><thead><tr><th>{self.t("th_guards")}</th>'
               f"<th>{self.t('th_staffed')}</th>{heads}<th>{self.t('th_all_met')}</th></tr>"
               "</thead><tbody>")
        for c in st["candidates"]:
            lv = "; ".join(f"{k}: {v['posts']}+{v['patrols']}" for k, v in
                           sorted(c["by_level"].items()))
            cells = "".join(f"<td>{_status(j['status'], lang)} <span class='small'>"
                            f"{_e(actual_text(j['actual'], self.lang))}</span></td>"
                            for j in c["judgements"])
            share, lo, hi = c["share"]
            mark = ' class="fail"' if not c["passed"] else ""
            ans = " ◀" if c["guards"] == st["answer"] else ""
            self.w(f"<tr{mark} data-guards='{c['guards']}'>"
                   f"<td class='n'><b>{c['guards']}{ans}</b></td><td class='small'>{_e(lv)}</td>"
                   f"{cells}<td class='n'>{c['all_met']}/{c['n']}"
                   f" = {_pct(share)} [{_pct(lo)}, {_pct(hi)}]</td></tr>")
        self.w("</tbody></table>")
        posts_word = "岗位+巡逻（人）" if lang == "zh" else "posts + patrols (guards) per level"
        self.w(f"<p class='small'>{_e(posts_word)}</p></section>")

    def barriers(self) -> None:
        b = self.rep.get("barriers")
        if not b:
            return
        self.w('<section id="barriers"><h2>' + self.t("sec_barriers") + "</h2>")
        self.w(f"<p class='note'>{_e(self.t('barriers_note', reps=b['replications']))} "
               f"{_e(self.t('bollards_tie'))}</p>")
        self.img("barriers", "barrier ranking")
        self.w(f'<table class="t" id="barrier-ranking"><thead><tr><th>{self.t("th_rank")}</th>'
               f"<th>{self.t('th_entrance')}</th><th>{self.t('th_existing')}</th>"
               f"<th>{self.t('th_without')}</th><th>{self.t('th_with')}</th>"
               f"<th>{self.t('th_prevented')}</th></tr></thead><tbody>")
        for x in b["rows"]:
            h = x.get("prevented_ci_half")
            ci = [x["prevented"] - h, x["prevented"] + h] if h is not None and \
                x.get("prevented") is not None else [None, None]
            tie = " class='tie'" if x.get("tied") else ""
            self.w(f"<tr data-entrance='{_e(x['entrance'])}' data-rank='{x['rank']}'>"
                   f"<td class='n'{tie}>{_rank(x)}</td><td>{_e(x['entrance'])}</td>"
                   f"<td class='small'>{_e(', '.join(x.get('existing_barriers') or []) or '—')}"
                   "</td>"
                   f"<td class='n'>{_fmt(x.get('harm_without'))}</td>"
                   f"<td class='n'>{_fmt(x.get('harm_with_bollard'))}</td>"
                   f"<td class='n'>{_ci(x.get('prevented'), ci)}</td></tr>")
        self.w("</tbody></table></section>")

    def sensitivity(self) -> None:
        sens = self.rep.get("sensitivity") or []
        self.w('<section id="sensitivity"><h2>' + self.t("sec_sensitivity") + "</h2>")
        if not sens:
            scn = (self.rep.get("assumptions") or {}).get("scenario") or "SCENARIO"
            txt = self.t("sensitivity_none", db=self.rep.get("db") or "DB",
                         command=_sens_command(scn))
            self.w(f"<p>{_e(txt)}</p>")
        for s in sens:
            self.w(f"<h3>{_e(s['scenario'])}: {_e(metric_label(s['metric']))}</h3>")
            txt = self.t("sensitivity_study", method=s["method"], study=s["study"],
                         scenario=s["scenario"], points=s["points"], seeds=s["seeds"],
                         noise=_fmt(s["noise_floor"]))
            self.w(f"<p class='note'>{_e(txt)}</p>")
            morris = s["method"] == "morris"
            head = "μ* [95% CI]" if morris else "S1 / ST [95% CI]"
            self.w(f'<table class="t sens"><thead><tr><th>#</th><th>{self.t("th_key")}</th>'
                   f"<th>{_e(head)}</th></tr></thead><tbody>")
            for row in s["rows"][:8]:
                if morris:
                    v = _ci(row["mu_star"], [row["mu_star"] - row["mu_star_ci"],
                                            row["mu_star"] + row["mu_star_ci"]])
                else:
                    v = (f"{_fmt(row['S1'])} ± {_fmt(row['S1_ci'])} / {_fmt(row['ST'])} ± "
                         f"{_fmt(row['ST_ci'])}")
                self.w(f"<tr><td class='n'>{row['rank']}</td><td><code>{_e(row['key'])}</code>"
                       f"</td><td class='n'>{v}</td></tr>")
            self.w("</tbody></table>")
        self.w("</section>")

    def assumptions(self) -> None:
        a = self.rep.get("assumptions") or {}
        o = self.rep["options"]
        self.w('<section id="assumptions"><h2>' + self.t("sec_assumptions") + "</h2>")
        if a.get("rows"):
            lead = self.t("assumptions_lead", n=a["n"], assumed=a["assumed"])
            self.w(f"<p class='note'>{_e(lead)} ({_e(a['scenario'])})</p>")
            self.w(f'<table class="t" id="assumption-table"><thead><tr><th>{self.t("th_key")}</th>'
                   f"<th>{self.t('th_name')}</th><th>{self.t('th_value')}</th>"
                   f"<th>{self.t('th_range')}</th><th>{self.t('th_status')}</th>"
                   f"<th>{self.t('th_source')}</th></tr></thead><tbody>")
            for x in a["rows"]:
                self.w(f"<tr data-key='{_e(x['key'])}'><td><code>{_e(x['key'])}</code></td>"
                       f"<td>{_e(x['name'])}</td>"
                       f"<td class='n'>{_fmt(x['value'])} {_e(x['unit'])}</td>"
                       f"<td class='n'>{_fmt(x['low'])}–{_fmt(x['high'])} ({_e(x['dist'])})</td>"
                       f"<td>{_e(status(x['status'], self.lang))}</td>"
                       f"<td class='small'>{_e(x['source'])}</td></tr>")
            self.w("</tbody></table>")
        readings = (f"SM-1.3b: {o['reading']}; SM-1.3e: ≤ {o['group_distance_m']:g} m; "
                    f"SM-1.4e: 1 / {o['guards_per_set']}")
        self.w(f"<p class='small'>{_e(readings)}</p>")
        ta = a.get("targets_assumed") or []
        if ta:
            self.w(f"<p class='small'>{_e(self.t('targets_assumed', ids=', '.join(ta)))}</p>")
        self.w("</section>")

    def drawings(self) -> None:
        keys = [k for k in self.figs if k.startswith("plan:")]
        if not keys:
            return
        self.w('<section id="drawings"><h2>' + self.t("sec_drawings") + "</h2>")
        for k in keys:
            _, label, level = k.split(":", 2)
            p = next(p for p in self.rep["plans"] if p["label"] == label)
            self.img(k, f"{label} {level}", self.t("drawing_caption", plan=self.plan_name(p),
                                                   level=level))
        self.w("</section>")

    def method(self) -> None:
        r = self.rep
        o = r["options"]
        self.w('<section id="method"><h2>' + self.t("sec_method") + "</h2>")
        self.w(f"<p>{_e(self.t('method_text', db=r.get('db') or 'DB'))}</p>")
        more = self.t("more_runs", reps=o["replications"], sreps=o["staffing_replications"],
                      breps=o["barrier_replications"])
        self.w(f"<p>{_e(more)}</p>")
        if r.get("command"):
            self.w(f"<p>{_e(self.t('reproduce', command=r['command']))}</p>")
        self.w(f"<h3>{self.t('glossary')}</h3><table class='t' id='glossary'><tbody>")
        for zh, en, where in GLOSSARY:
            self.w(f"<tr><td>{_e(zh)}</td><td>{_e(en)}</td><td class='small'>{_e(where)}</td></tr>")
        self.w("</tbody></table>")
        src = ("Clauses: 郑州市公安局、郑州市商务局《全市“平安商场”创建活动工作方案》"
               "（郑公通〔2017〕64号, 2017-04-18); GB 50016-2014 (2018 ed.) 《建筑设计防火规范》.")
        self.w(f"<p class='small'>{_e(src)}</p></section>")


def _status_source(x: Mapping[str, Any], lang: str) -> str:
    """``assumed; <source>`` without saying the status twice."""
    src = _short(x["source"])
    word = status(x["status"], lang)
    if src.lower().startswith(x["status"]):
        src = src[len(x["status"]):].lstrip(" :;,")
    return f"{word}: {src}" if src else word


def _pct(x: float | None) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    return f"{100 * x:.0f} %"


def _rank(x: Mapping[str, Any]) -> str:
    return f"{x['rank']}{'=' if x.get('tied') else ''}"


def _short(text: str, n: int = 90) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _ranked_keys(sens: Sequence[Mapping[str, Any]], scenario: str | None) -> list[str]:
    for s in sens:
        if s["scenario"] == scenario:
            return [r["key"] for r in s["rows"]]
    return []


def _sens_command(scenario: str) -> str:
    return f"safemall sensitivity scenarios/{scenario}.toml --all-assumed --metric attack_victims"


def render_html(rep: Mapping[str, Any], lang: str = "en", figures: Mapping[str, str] | None = None,
                *, font_css: str | None = None, fonts: str = "sans-serif") -> str:
    """The page (``figures``: base64 PNGs by key: ``plan:A:L1``, ``staffing``,
    ``comparison``, ``barriers``, ``shortfalls``)."""
    pg = _Page(rep, lang, figures or {})
    pg.head(font_css, fonts)
    pg.answer()
    pg.changes()
    pg.comparison()
    pg.clauses()
    pg.targets()
    pg.staffing()
    pg.barriers()
    pg.sensitivity()
    pg.assumptions()
    pg.drawings()
    pg.method()
    pg.w("</body></html>")
    return "\n".join(pg.out)


__all__ = ["SECTIONS", "change_text", "render_html"]
