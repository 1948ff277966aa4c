"""What blocks a valid layout, ranked, each with the exact option that fixes it.

:func:`suggest_repairs` looks at a draft after every inference has run: spaces that
cannot reach an exit (grouped into connected parts), unknown categories, and the reason
the layout does not validate. Each becomes a :class:`~sim.io.importers.report.Repair` with
the number of spaces it strands, the command-line option (``--exit ID``,
``--link-stairs``, ``--category CAT=KIND``, ``--drop ID``) and the same repair as a line
of the overrides file (``--fixes FILE``). The list is ranked by spaces stranded.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping

import networkx as nx
from shapely.geometry.base import BaseGeometry

from sim.io.importers._draft import Draft, DraftSpace
from sim.io.importers.infer import outline_edge, stable_ref, unlinked_stacks
from sim.io.importers.options import ImportOptions
from sim.io.importers.report import Repair
from sim.model.layout import SPACE_KINDS, VERTICAL_KINDS

#: Parts of at most this many spaces are offered ``--drop`` (larger ones need a door).
DROP_MAX = 4
#: Kinds preferred as the inside of a new exterior door.
_DOOR_KINDS = ("corridor", "atrium", "plaza", "shop", "service")


def _q(ref: str) -> str:
    return json.dumps(ref, ensure_ascii=False)


def _exit_candidates(draft: Draft, part: set[str], outlines: Mapping[str, BaseGeometry],
                     grade: set[str], tol: float) -> list[tuple[float, DraftSpace]]:
    """Spaces of ``part`` at grade with an edge on the outline: walkways, atria and plazas
    first, then by length of edge on the outline."""
    out = []
    for sid in part:
        s = draft.spaces[sid]
        if s.kind in VERTICAL_KINDS or s.kind == "exit" or s.levels[0] not in grade:
            continue
        g = s.geom_on(s.levels[0])
        if g is None:
            continue
        on, _ = outline_edge(g, outlines.get(s.levels[0]), tol)
        if on > 0:
            out.append((on, s))
    # walkways and halls first (a door to the street opens from circulation), then by
    # length of edge on the outline
    out.sort(key=lambda c: (c[1].kind not in _DOOR_KINDS[:3], -c[0], c[1].id))
    return out


def suggest_repairs(draft: Draft, options: ImportOptions,
                    outlines: Mapping[str, BaseGeometry], grade: set[str],
                    unknown: Counter[str] | None = None) -> list[Repair]:
    """Rank what keeps the draft from being a valid layout; store it in the report."""
    g: nx.Graph[str] = nx.Graph()
    g.add_nodes_from(draft.spaces)
    g.add_edges_from((o.a, o.b) for o in draft.openings.values())
    tol = options.outline_tolerance_m
    repairs: list[Repair] = []
    stacks = unlinked_stacks(draft, options.link_tolerance_m) if not options.link_stairs \
        else []
    stack_ids = {s.id for pair in stacks for s in pair}
    stranded_parts = [set(c) for c in nx.connected_components(g)
                      if not any(draft.spaces[x].kind == "exit" for x in c)]
    stranded_parts.sort(key=lambda c: (-len(c), min(c)))
    n_stranded = sum(len(c) for c in stranded_parts)
    has_exit = any(s.kind == "exit" for s in draft.spaces.values())
    if stacks and n_stranded:
        near = sum(len(c) for c in stranded_parts if c & stack_ids)
        repairs.append(Repair(
            near, f"{len(stacks)} stair/escalator unit(s) sit on one level while a unit of "
            f"the same kind overlaps them on the next level (no traversal joins them); "
            f"{near} stranded space(s) are in parts that contain them",
            "--link-stairs", "link_stairs = true"))
    if not has_exit:
        cands = _exit_candidates(draft, set(draft.spaces), outlines, grade, tol)
        # the best candidate on each grade level first, then the next best
        best: dict[str, tuple[float, DraftSpace]] = {}
        for on, s in cands:
            best.setdefault(s.levels[0], (on, s))
        picks = sorted(best.values(), key=lambda c: cands.index(c))
        picks += [c for c in cands if c not in picks][:max(0, 3 - len(picks))]
        for on, s in picks:
            ref = stable_ref(s)
            repairs.append(Repair(
                len(draft.spaces), f"no exit: no door lies on the building outline; "
                f"{s.id} ({s.kind}, level {s.levels[0]}) has {on:.0f} m of edge on the "
                f"outline: add an exterior door there", f"--exit {ref}",
                f"exit = [{_q(ref)}]"))
        if not cands:
            repairs.append(Repair(
                len(draft.spaces), "no exit, and no space at grade has an edge on the "
                "building outline: name the space (or opening) that leads outside",
                "--exit SPACE", 'exit = ["SPACE"]'))
    else:
        small: dict[str, list[str]] = {}
        for part in stranded_parts:
            if part & stack_ids and not options.link_stairs:
                continue  # covered by --link-stairs above
            if len(part) <= DROP_MAX and not _exit_candidates(draft, part, outlines, grade,
                                                              tol):
                lv = draft.spaces[min(part)].levels[0]
                small.setdefault(lv, []).extend(sorted(part))
                continue
            cands = _exit_candidates(draft, part, outlines, grade, tol)
            def size(x: str) -> float:
                poly = draft.spaces[x].polygon
                return float(poly.area) if poly is not None else 0.0

            lead = draft.spaces[min(part, key=lambda x: (-size(x), x))]
            where = f"{len(part)} space(s) around {lead.id} (level {lead.levels[0]})"
            if cands:
                s = cands[0][1]
                repairs.append(Repair(
                    len(part), f"{where} cannot reach an exit; {s.id} has "
                    f"{cands[0][0]:.0f} m of edge on the building outline",
                    f"--exit {stable_ref(s)}", f"exit = [{_q(stable_ref(s))}]"))
            else:
                refs = sorted(stable_ref(draft.spaces[x]) for x in part)
                repairs.append(Repair(
                    len(part), f"{where} cannot reach an exit and none of them is on the "
                    "building outline at grade: join them in the data or drop them",
                    f"--drop {refs[0]} ... ({len(refs)} spaces)",
                    f"drop = [{', '.join(_q(r) for r in refs[:3])}, ...]"))
        for lv, ids in sorted(small.items()):
            refs = sorted(stable_ref(draft.spaces[x]) for x in ids)
            names = ", ".join(ids[:4]) + (" ..." if len(ids) > 4 else "")
            opt = " ".join(f"--drop {r}" for r in refs) if len(refs) <= 3 else \
                f"--drop-unreachable (or --drop each of the {len(refs)} ids)"
            repairs.append(Repair(
                len(ids), f"{len(ids)} space(s) on level {lv} in small parts joined to "
                f"nothing that leads out ({names}): a partly mapped level? Drop them, or "
                "map their doors", opt, f"drop = [{', '.join(_q(r) for r in refs)}]"))
    for cat, n in sorted((unknown or Counter()).items(), key=lambda x: (-x[1], x[0])):
        kind = cat if cat in SPACE_KINDS and cat != "exit" else "service"
        repairs.append(Repair(0, f"{n} unit(s) of unknown category {cat!r} imported as "
                              "service (not sales area): say what they are",
                              f"--category {cat}={kind}",
                              f"[category] {_q(cat)} = \"{kind}\""))
    repairs.sort(key=lambda r: -r.affected)
    draft.report.repairs = repairs
    return repairs
