"""Each static requirement's formula with its numbers, in English or Chinese.

:func:`formula` turns a clause result (its JSON, with the ``facts`` the checker recorded)
into one line a reader can verify by hand, e.g. SM-1.3b for the grand mall::

    sales area 63,984 m² > 30,000 m²: 30 + ⌈(63,984 − 30,000) / 1,000⌉ = 64 guards;
    the plan has 38 → 26 short

The band rule is the plan's (SM-1.3b): 10,000–20,000 m² → 20; 20,000–30,000 m² → 30;
above 30,000 m², one more per further 1,000 m² (strict reading: a started 1,000 m²
counts, ``ceil``; lenient: whole ones, ``floor``). Clauses without numbers (documents,
drills) give their required/actual text. :func:`remedies` gives the remedies, in
Chinese from the same facts where the clause has numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.report.text import fmt_number


def _n(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() or abs(x) >= 100 else fmt_number(x)


def _sm13b(f: Mapping[str, Any], zh: bool) -> str:
    a, req, have = float(f["area_m2"]), f["required"], int(f["have"])
    if req is None:
        return (f"营业面积 {_n(a)} m² < 10,000 m²：方案未规定人数" if zh else
                f"sales area {_n(a)} m² < 10,000 m²: the plan sets no number")
    if a > 30_000:
        rnd = "⌈" if f.get("reading", "strict") == "strict" else "⌊"
        end = "⌉" if rnd == "⌈" else "⌋"
        extra = int(req) - 30
        calc = f"30 + {rnd}({_n(a)} − 30,000) / 1,000{end} = 30 + {extra} = {req}"
        band = "> 30,000 m²"
    else:
        calc = str(req)
        band = "20,000–30,000 m²" if req == 30 else "10,000–20,000 m²"
    gap = int(req) - have
    if zh:
        tail = f"方案有 {have} 名" + (f"，缺 {gap} 名" if gap > 0 else "，满足")
        return f"营业面积 {_n(a)} m²（{band}）：{calc} 名专职保安；{tail}"
    tail = f"the plan has {have}" + (f" → {gap} short" if gap > 0 else " → met")
    return f"sales area {_n(a)} m² ({band}): {calc} guards; {tail}"


def _sm13d(f: Mapping[str, Any], zh: bool) -> str:
    lo, hi, have = f["lo"], f["hi"], f["have"]
    miss = f.get("roles_missing") or []
    if zh:
        roles = {"leader": "组长", "deputy": "副组长", "liaison": "联络员"}
        r = "、".join(roles[m] for m in miss)
        roles_txt = f"；未设{r}" if miss else "；组长、副组长、联络员齐全"
        return f"{lo} ≤ 人数 ≤ {hi}：方案有 {have} 人{roles_txt}"
    return (f"{lo} ≤ members ≤ {hi}: the plan has {have}"
            + (f"; no {', '.join(miss)}" if miss else "; leader, deputy, liaison named"))


def _sm13e(f: Mapping[str, Any], zh: bool) -> str:
    shops, off, g, grp = f["shops"], f["officers"], f["groups"], f["grouped"]
    lo, hi, d = f["lo"], f["hi"], f["distance_m"]
    if zh:
        return (f"保卫专干：每店1名 × {shops} 家 = {shops} 名，已明确 {off} 名；"
                f"治安联防小组：每组 {lo}–{hi} 家相邻店铺（门到门步行 ≤ {d:g} m），"
                f"{g} 个小组覆盖 {grp}/{shops} 家")
    return (f"officers: 1 per shop × {shops} shops = {shops}, {off} named; joint-defence "
            f"groups of {lo}–{hi} adjacent shops (door to door ≤ {d:g} m): {g} groups hold "
            f"{grp} of {shops} shops")


def _sm14a(f: Mapping[str, Any], zh: bool) -> str:
    if zh:
        return (f"门卫、视频监控室、24小时值班室共 {f['places']} 处，已设应急警报装置 "
                f"{f['found']} 处（共 {f['buttons']} 个按钮）")
    return (f"gate, CCTV room, duty room: {f['found']} of {f['places']} places have a button "
            f"({f['buttons']} buttons)")


_PARTS_ZH = {"perimeter": "周界", "main entrances": "大门口", "passages": "通道",
             "entrances/exits": "出入口", "car parks": "停车场", "finance rooms": "财务室"}


def _sm14c(f: Mapping[str, Any], zh: bool) -> str:
    parts = f.get("parts") or {}
    if zh:
        body = "，".join(f"{_PARTS_ZH.get(k, k)} {a}/{b}" for k, (a, b) in parts.items())
        return f"{f['cameras']} 个探头，{f['operators']} 名值机员；覆盖：{body}"
    body = ", ".join(f"{k} {a}/{b}" for k, (a, b) in parts.items())
    return f"{f['cameras']} cameras, {f['operators']} operators; covered: {body}"


_SYSTEMS = {"lighting": ("emergency lighting", "应急照明"), "pa": ("PA", "广播"),
            "fire": ("fire systems", "消防系统"), "detectors": ("fire detectors", "火灾探测器")}


def _sm14d(f: Mapping[str, Any], zh: bool) -> str:
    sy = f.get("systems") or {}
    if zh:
        return "，".join(f"{_SYSTEMS[k][1]} {a}/{b}" for k, (a, b) in sy.items()) + " 个空间"
    return ", ".join(f"{_SYSTEMS[k][0]} {a}/{b}" for k, (a, b) in sy.items()) + " spaces"


def _sm14e(f: Mapping[str, Any], zh: bool) -> str:
    g, per, sets, full = f["guards"], f["per_set"], f["sets"], f["full_sets"]
    if zh:
        return (f"⌈{g} 名保安 / {per}⌉ = {sets} 套（防暴叉、盾牌、警棍、头盔、防刺服各1件，"
                f"每 {per} 人1套为本工具假设）；方案有完整 {full} 套")
    return (f"⌈{g} guards / {per}⌉ = {sets} sets (fork, shield, baton, helmet, stab vest; "
            f"1 set per {per} guards is our assumption); the plan has {full} full sets")


def _sm14f(f: Mapping[str, Any], zh: bool) -> str:
    if zh:
        return f"主要出入口 {f['mains']} 处，已物理隔离 {f['isolated']} 处"
    return f"{f['isolated']} of {f['mains']} main entrances isolated"


def _sm15(f: Mapping[str, Any], zh: bool) -> str:
    if zh:
        return (f"车辆可达的门 {f['doors']} 处，已设硬质防冲撞设施 {f['protected']} 处；"
                f"道路引道 {f['approaches']} 条，设减速带和警示标志 {f['approaches_ok']} 条")
    return (f"{f['protected']} of {f['doors']} doors reachable by road have a barrier; "
            f"{f['approaches_ok']} of {f['approaches']} approaches have speed bumps and signs")


def _gb21a(f: Mapping[str, Any], zh: bool) -> str:
    p, idx, req, have = f["persons"], f["index_m_per_100"], f["required_m"], f["have_m"]
    lv = f.get("level") or "—"
    if zh:
        return (f"人数最多楼层 {lv}：{p:,} 人 × {idx:.2f} m / 100 人 = {req:.2f} m；首层外门总净宽 "
                f"{have:.2f} m（{f['doors']} 樘）")
    return (f"most populated floor {lv}: {p:,} persons × {idx:.2f} m / 100 persons = "
            f"{req:.2f} m; exterior doors at grade {have:.2f} m ({f['doors']} doors)")


def _sm13a(f: Mapping[str, Any], zh: bool) -> str:
    dep = f["department"]
    if zh:
        return f"专职保卫机构：{'有' if dep else '无'}；专职保安 {f['guards']} 名"
    return f"security department: {'yes' if dep else 'no'}; {f['guards']} full-time guards"


_LACKS_ZH = {"uniform": "制式服装", "armbands": "红袖标", "equipment": "防护器械",
             "batons": "电警棍", "tear_gas": "催泪瓦斯"}


def _sm13c(f: Mapping[str, Any], zh: bool) -> str:
    lacks = f.get("lacks") or []
    if zh:
        return (f"巡逻队 {f['patrols']} 支（{f['guards']} 人）"
                + (f"；缺{'、'.join(_LACKS_ZH.get(x, x) for x in lacks)}" if lacks
                   else "；制式服装、红袖标、电警棍、催泪瓦斯齐全"))
    return (f"{f['patrols']} patrols ({f['guards']} guards)"
            + (f"; lacking {', '.join(x.replace('_', ' ') for x in lacks)}" if lacks
               else "; uniforms, armbands, batons, tear gas"))


def _link(f: Mapping[str, Any], zh: bool) -> str:
    link = f["link"]
    extra = (f"，应急警报装置 {f['buttons']} 个" if zh else f"; {f['buttons']} alarm buttons") \
        if "buttons" in f else ""
    if zh:
        return f"接入公安机关报警平台：{'是' if link else '否'}" + extra
    return f"linked to the police alarm platform: {'yes' if link else 'no'}" + extra


def _training(f: Mapping[str, Any], zh: bool) -> str:
    if zh:
        return f"{f['period']}：每月培训（商场员工和联防商户）{f['have']}/{f['need']} 个月"
    return f"{f['period']}: monthly training of mall staff and shops in {f['have']} of " \
           f"{f['need']} months"


def _drills(f: Mapping[str, Any], zh: bool) -> str:
    if zh:
        return (f"{f['period']}：每季度 {f['types']} 类演练，完成 {f['have']}/{f['need']} "
                "（类别×季度）")
    return (f"{f['period']}: {f['types']} drill types every quarter, {f['have']} of "
            f"{f['need']} type-quarters held")


_FORMULAS = {"SM-1.3a": _sm13a, "SM-1.3c": _sm13c, "SM-1.4g": _link, "SM-5b": _link,
             "SM-1.2b": _training, "SM-1.2c": _drills, "SM-1.3b": _sm13b, "SM-1.3d": _sm13d,
             "SM-1.3e": _sm13e, "SM-1.4a": _sm14a,
             "SM-1.4c": _sm14c, "SM-1.4d": _sm14d, "SM-1.4e": _sm14e, "SM-1.4f": _sm14f,
             "SM-1.5": _sm15, "GB50016-5.5.21a": _gb21a}


def formula(clause: Mapping[str, Any], lang: str = "en") -> str:
    """One line with the requirement's formula and numbers (else required vs actual)."""
    f = clause.get("facts") or {}
    fn = _FORMULAS.get(clause["id"])
    if fn is not None and f:
        return fn(f, lang == "zh")
    req, act = clause.get("required", ""), clause.get("actual", "")
    if clause.get("source") == "document" and clause.get("status") == "not_specified":
        return "需文件审查（文件中无审查记录）" if lang == "zh" else \
            "needs a document review (no review recorded)"
    if lang == "zh" and clause.get("source") == "GB 50016":
        return f"GB 50016 要求：{req}；实际：{act}"
    return f"要求：{req}；实际：{act}" if lang == "zh" else f"required {req}; actual {act}"


def has_formula(clause_id: str) -> bool:
    """True when the clause's numbers are spelled out by :func:`formula`."""
    return clause_id in _FORMULAS


def _list(ids: list[str], n: int = 8) -> str:
    return ", ".join(ids[:n]) + (f" (+{len(ids) - n})" if len(ids) > n else "")


def remedies(clause: Mapping[str, Any], lang: str = "en") -> list[str]:
    """The clause's remedies; in Chinese from its facts where it has numbers."""
    if clause.get("status") != "fail":
        return []
    en = list(clause.get("remedies") or [])
    if lang != "zh":
        return en
    f = clause.get("facts") or {}
    cid = clause["id"]
    if cid == "SM-1.3b" and f.get("required"):
        return [f"增配 {int(f['required']) - int(f['have'])} 名专职保安（要求 {f['required']} 名，"
                f"现有 {f['have']} 名）"]
    if cid == "SM-1.3d" and f:
        out = []
        if f["have"] < f["lo"]:
            out.append(f"内部防范组织增加 {f['lo'] - f['have']} 人（现有 {f['have']} 人，至少 "
                       f"{f['lo']} 人）")
        if f["have"] > f["hi"]:
            out.append(f"内部防范组织减至 {f['hi']} 人或拆分")
        if f.get("roles_missing"):
            out.append("明确组长、副组长和工作联络员")
        return out
    if cid == "SM-1.3e" and f:
        out = []
        if f["officers"] < f["shops"]:
            out.append(f"为 {f['shops'] - f['officers']} 家店铺明确保卫专干")
        if f["grouped"] < f["shops"]:
            out.append(f"将 {f['shops'] - f['grouped']} 家店铺编入治安联防小组")
        if f.get("problems"):
            out.append(f"调整治安联防小组：{f['problems']} 处问题（规模、相邻或组长等）")
        return out
    if cid == "SM-1.4a" and f:
        return [f"在 {_list(f['missing'])} 设置应急警报装置"] if f.get("missing") else en
    if cid == "SM-1.4c" and f:
        out = [f"在{_PARTS_ZH.get(k, k)}增设监控探头（已覆盖 {a}/{b}）"
               for k, (a, b) in (f.get("parts") or {}).items() if a < b]
        if not f.get("operators"):
            out.append("视频监控中心安排值机人员24小时值守")
        return out or en
    if cid == "SM-1.4e" and f:
        return [f"补足防暴器材至 {f['sets']} 套（现有完整 {f['full_sets']} 套）"]
    if cid == "SM-1.4f" and f:
        return [f"在主要出入口 {_list(f['missing'])} 设置物理隔离"]
    if cid == "SM-1.5" and f:
        out = []
        if f.get("missing"):
            out.append(f"在 {_list(f['missing'])} 设置升降柱等硬质防冲撞设施")
        if f["approaches_ok"] < f["approaches"] or f.get("roads_without_approach"):
            out.append("在道路引道上设置减速带和警示标志")
        return out
    if cid in ("SM-1.4g", "SM-5b"):
        return ["视频监控中心和应急警报装置接入公安机关报警平台"]
    if cid in ("SM-1.2b", "SM-1.2c"):
        return ["按要求组织并记录每月安全培训和每季度应急演练" if cid == "SM-1.2b" else
                "每季度组织火灾、抢劫、劫持人质、行凶杀人、破坏、爆炸应急演练并记录"]
    if clause.get("source") == "GB 50016":
        return [f"按 GB 50016 整改：{r}" for r in en]
    return en
