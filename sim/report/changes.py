"""What to change, most important first.

Every finding that asks for a change becomes one :class:`Change`; the list is sorted by
priority and, within a priority, by the size of the shortfall:

1. **measured risk to life**: a simulated target fails (the alarm, the first responder,
   stopping an attacker, ASET against RSET, crowd densities), or the staffing study
   finds the plan's guards too few for the bundled threats;
2. **people and the alarm chain**: SM-1.3a–e, SM-1.4a, SM-1.4g, SM-5b;
3. **devices and barriers**: SM-1.4c–f, SM-1.5, GB 50016 egress widths and distances;
4. **documents, training and drills**: SM-1.2b, SM-1.2c.

Findings about the same thing are merged into one change: SM-1.3b and the staffing
study into "employ N more guards" (priority 1 when the study or a staffing target says
the plan's guards are not enough); SM-1.5 and the barrier ranking into "install
bollards at …", naming the harm the top-ranked missing one prevents. The size of a
shortfall is what is missing as a share of what is required (a clause's facts), or by
how much a target's estimate exceeds its threshold (capped at 0.99, so a target that was
never reached, such as an alarm that never sounded, comes first).

A change is stored as a key of :mod:`sim.report.i18n` and its fields, so the report
prints it in either language.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

PEOPLE: Final = ("SM-1.3a", "SM-1.3b", "SM-1.3c", "SM-1.3d", "SM-1.3e", "SM-1.4a", "SM-1.4g",
                 "SM-5b")
DEVICES: Final = ("SM-1.4c", "SM-1.4d", "SM-1.4e", "SM-1.4f", "SM-1.5")
SCHEDULES: Final = ("SM-1.2b", "SM-1.2c")


@dataclass
class Change:
    """One change: priority (1 first), size of the shortfall (0..1, larger first), what
    to do and why (i18n keys with fields), the clauses and targets it answers."""

    priority: int
    size: float
    key: str
    fields: dict[str, Any] = field(default_factory=dict)
    why_key: str = ""
    why_fields: dict[str, Any] = field(default_factory=dict)
    clauses: list[str] = field(default_factory=list)
    remedies: list[str] = field(default_factory=list)
    """The checker's own remedies (English), for the clause-by-clause list."""

    def to_json(self) -> dict[str, Any]:
        """JSON-able mapping."""
        return {"priority": self.priority, "size": self.size, "key": self.key,
                "fields": self.fields, "why_key": self.why_key, "why_fields": self.why_fields,
                "clauses": self.clauses, "remedies": self.remedies}


def _shortfall(clause: Mapping[str, Any]) -> float:
    """What is missing as a share of what is required (1 when unknown)."""
    f = clause.get("facts") or {}
    cid = clause["id"]
    try:
        if cid == "SM-1.3b" and f.get("required"):
            return max(0.0, 1 - f["have"] / f["required"])
        if cid == "SM-1.3d":
            return max(0.0, 1 - f["have"] / f["lo"]) if f["have"] < f["lo"] else 0.2
        if cid == "SM-1.3e":
            return max(1 - f["officers"] / f["shops"], 1 - f["grouped"] / f["shops"], 0.05)
        if cid == "SM-1.4c":
            parts = f.get("parts") or {}
            return max((1 - a / b for a, b in parts.values() if b), default=1.0)
        if cid == "SM-1.4e":
            return max(0.0, 1 - f["full_sets"] / f["sets"]) if f["sets"] else 0.0
        if cid == "SM-1.5":
            return 1 - f["protected"] / f["doors"] if f["doors"] else 1.0
        if cid in ("SM-1.2b", "SM-1.2c") and f.get("need"):
            return 1 - f["have"] / f["need"]
    except (KeyError, TypeError, ZeroDivisionError):
        pass
    return 1.0


#: Largest size a finite miss gets: a target never reached at all (no alarm in any run)
#: ranks above any target that was reached late.
FINITE_MISS_CAP = 0.99


def _exceedance(j: Mapping[str, Any], threshold: float | None) -> float:
    est = j.get("estimate")
    if est is None:
        return 1.0
    if threshold in (None, 0):
        return FINITE_MISS_CAP
    return min(FINITE_MISS_CAP, abs(est - threshold) / abs(threshold))


def plan_changes(clauses: Sequence[Mapping[str, Any]], targets: Sequence[Mapping[str, Any]],
                 *, staffing: Mapping[str, Any] | None = None,
                 bollards: Sequence[Mapping[str, Any]] = (),
                 study_exists: bool = False) -> list[Change]:
    """Every change one plan needs, most important first (see module notes)."""
    out: list[Change] = []
    by_id = {c["id"]: c for c in clauses}
    # -- simulated targets, one change per failing target
    fails: dict[str, list[Mapping[str, Any]]] = {}
    for j in targets:
        if j["status"] == "fail":
            fails.setdefault(j["target"], []).append(j)
    staffing_fail = False
    for tid, js in fails.items():
        worst = max(js, key=lambda j: _exceedance(j, j.get("threshold")))
        if any(c.startswith("SM-1.3") for c in worst.get("clauses", [])):
            staffing_fail = True
        key = f"action_{tid}"
        out.append(Change(1, _exceedance(worst, worst.get("threshold")), key,
                          {"target": worst.get("title", tid), "target_id": tid},
                          "change_target_detail",
                          {"target": worst.get("title", tid), "target_id": tid,
                           "scenarios": ", ".join(j["scenario"] for j in js),
                           "actual": worst.get("actual", ""),
                           "required": worst.get("required", "")},
                          list(worst.get("clauses", []))))
    # -- guards: SM-1.3b and the staffing study, merged
    b = by_id.get("SM-1.3b")
    have = int((b or {}).get("facts", {}).get("have", 0)) if b else 0
    need_rule = (b or {}).get("facts", {}).get("required") if b else None
    answer = staffing.get("answer") if staffing else None
    need = max(x for x in (need_rule or 0, answer or 0)) if (need_rule or answer) else 0
    if need > have:
        study = (("study_answer", {"answer": answer}) if answer is not None else
                 ("study_none", {})) if staffing else (
            ("study_not_run", {}) if study_exists else ("study_missing", {}))
        prio = 1 if (staffing_fail or (answer is not None and answer > have)) else 2
        area = (b or {}).get("facts", {}).get("area_m2")
        out.append(Change(prio, 1 - have / need, "change_guards",
                          {"n": need - have, "have": have, "need": need},
                          "change_guards_why",
                          {"required": need_rule if need_rule is not None else "—",
                           "area": f"{area:,.0f}" if area else "—",
                           "study_key": study[0], "study_fields": study[1]},
                          ["SM-1.3b"], list((b or {}).get("remedies", []))))
    # -- bollards: SM-1.5 and the ranking, merged
    s15 = by_id.get("SM-1.5")
    if s15 is not None and s15["status"] == "fail":
        f = s15.get("facts") or {}
        missing = list(f.get("missing") or [])
        ranked = {r["entrance"]: r for r in bollards}
        missing.sort(key=lambda d: -(ranked.get(d, {}).get("harm_without") or 0.0))
        top = ranked.get(missing[0]) if missing else None
        why = ({"ranked_key": "ranked_harm",
                "ranked_fields": {"door": missing[0],
                                  "prevented": _num(top.get("prevented"))}}
               if top is not None else {"ranked_key": "", "ranked_fields": {}})
        if missing:
            out.append(Change(3, _shortfall(s15), "change_bollards",
                              {"doors": ", ".join(missing)}, "change_bollards_why", why,
                              ["SM-1.5"], list(s15.get("remedies", []))))
    # -- the police link: SM-1.4g and SM-5b ask for the same connection
    link = [by_id[c] for c in ("SM-1.4g", "SM-5b") if c in by_id
            and by_id[c]["status"] == "fail"]
    if len(link) == 2:
        out.append(Change(2, 1.0, "clause", {"clause": "SM-1.4g"}, "change_clause_why",
                          {"clause": "SM-1.4g"}, ["SM-1.4g", "SM-5b"],
                          list(link[0].get("remedies", [])) + list(link[1].get("remedies", []))))
    # -- every other failed clause
    for c in clauses:
        cid = c["id"]
        if c["status"] != "fail" or cid in {x for ch in out for x in ch.clauses}:
            continue
        prio = 2 if cid in PEOPLE else 4 if cid in SCHEDULES else 3
        out.append(Change(prio, _shortfall(c), "clause", {"clause": cid},
                          "change_clause_why", {"clause": cid}, [cid],
                          list(c.get("remedies", []))))
    out.sort(key=lambda ch: (ch.priority, -ch.size))
    return out


def _num(x: float | None) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{x:.1f}"
