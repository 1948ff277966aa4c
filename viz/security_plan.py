"""A security plan drawn on its floor plan, for review on paper.

:func:`draw_security_plan` draws every level of the layout (``viz.plan``) with the space
ids and, on top, what the plan puts where:

* **guard posts**: a triangle in the post's space, with the number of guards;
* **patrol routes**: a dashed loop through the centres of the route's spaces on that
  level, with the patrol id and its guards;
* the **internal defence team's base**: a square with the team size;
* **cameras**: a small square in the space they are mounted in; what they see is their
  *coverage*: a thin line to every opening they watch, and every space SM-1.4c wants
  watched (passages, car parks, finance rooms, the perimeter outside) that no camera
  sees is hatched (the gaps a reviewer looks for);
* **alarm buttons**: a red circle with a white centre;
* **PA zones**: each zone's label at the centre of its spaces on the level; public
  spaces (SM-1.4d) outside every zone are hatched in another direction;
* **vehicle barriers and isolation** at openings and plazas: bollards as a row of dots
  across the door, rising bollards as open dots, fences, isolation railings and hard
  barriers as thick bars, each kind with its own colour;
* a legend of all of these.

Used by ``safemall layout show --security PLAN`` and by the manager's report.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from sim.analysis.compliance import places
from viz.plan import _opening_segment, draw_plan

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.model.layout import Layout
    from sim.model.security_plan import SecurityPlan

GUARD: Final = "#08519c"
PATROL: Final = "#006d2c"
TEAM: Final = "#54278f"
CAMERA: Final = "#3f007d"
BUTTON: Final = "#d7301f"
PA: Final = "#b35806"
GAP_CAMERA: Final = "#cb181d"
#: Drawing of each barrier kind: (colour, style) with style ``dots``, ``open`` or ``bar``.
BARRIER_STYLE: Final = {"bollard": ("#000000", "dots"), "rising_bollard": ("#000000", "open"),
                        "fence": ("#8c510a", "bar"), "isolation": ("#c51b7d", "bar"),
                        "hard_barrier": ("#252525", "bar")}


def _centre(layout: Layout, space: str, level: str) -> tuple[float, float] | None:
    """A point inside ``space`` when it is drawn on ``level`` (stairs: their own level)."""
    s = layout.spaces.get(space)
    if s is None or not s.polygon or s.level != level:
        return None
    p = s.shape.representative_point() if s.shape is not None else None
    return (p.x, p.y) if p is not None else None


class _Overlay:
    """Draws the plan's items on one level panel (callable as a ``viz.plan`` overlay)."""

    def __init__(self, layout: Layout, plan: SecurityPlan) -> None:
        self.layout, self.plan = layout, plan
        cams = list(plan.cctv.cameras) if plan.has("cctv") else []
        self.seen = {s for c in cams for s in c.sees}
        self.cams = cams
        self.watched = set(places.spaces_of(layout, *places.PASSAGE_KINDS, "parking",
                                            "finance_room")) | set(places.outdoor_spaces(layout))
        self.public = set(places.spaces_of(layout, *places.PUBLIC_KINDS))
        pa = list(plan.pa.zones) if plan.has("pa") else []
        self.pa_all = any(z.all for z in pa)
        self.pa_spaces = {s for z in pa for s in z.spaces}
        self.pa = pa

    def __call__(self, ax: Axes, level: str, dx: float) -> None:
        from matplotlib.patches import Polygon as MplPolygon

        lay, plan = self.layout, self.plan
        for s in lay.spaces.values():  # coverage gaps first, under everything else
            if s.level != level or not s.polygon:
                continue
            pts = [(x + dx, y) for x, y in s.polygon]
            if s.id in self.watched and s.id not in self.seen:
                ax.add_patch(MplPolygon(pts, closed=True, fill=False, hatch="////",
                                        edgecolor=GAP_CAMERA, linewidth=0, zorder=2.5))
            if s.id in self.public and not self.pa_all and s.id not in self.pa_spaces:
                ax.add_patch(MplPolygon(pts, closed=True, fill=False, hatch="\\\\\\\\",
                                        edgecolor=PA, linewidth=0, zorder=2.5))
        for z in self.pa:
            pts = [c for sp in z.spaces if (c := _centre(lay, sp, level)) is not None]
            if pts:
                x = sum(p[0] for p in pts) / len(pts)
                y = sum(p[1] for p in pts) / len(pts)
                ax.text(x + dx, y, f"PA {z.id}", fontsize=6, color=PA, ha="center",
                        va="bottom", zorder=8, fontweight="bold",
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": PA,
                              "lw": 0.5, "alpha": 0.8})
        self._patrols(ax, level, dx)
        for c in self.cams:
            at = _centre(lay, c.space, level)
            if at is None:
                continue
            for oid in c.openings:
                o = lay.openings.get(oid)
                if o is not None and o.level == level:
                    ax.plot([at[0] + dx, o.at[0] + dx], [at[1], o.at[1]], color=CAMERA,
                            lw=0.5, alpha=0.6, zorder=6)
            ax.plot(at[0] + dx + 1.2, at[1] - 1.2, marker="s", ms=3, color=CAMERA,
                    ls="none", zorder=8)
        if plan.has("guards"):
            for p in plan.guards.posts:
                at = _centre(lay, p.space, level)
                if at is not None and p.count > 0:
                    ax.plot(at[0] + dx, at[1] + 2.0, marker="^", ms=8, color=GUARD,
                            mec="white", mew=0.6, ls="none", zorder=9)
                    ax.text(at[0] + dx + 1.8, at[1] + 2.0, f"{p.id} ×{p.count}", fontsize=5.5,
                            color=GUARD, va="center", zorder=9, fontweight="bold")
        if plan.team is not None and plan.has("team"):
            at = _centre(lay, plan.team.base, level)
            if at is not None:
                ax.plot(at[0] + dx, at[1] - 2.5, marker="s", ms=8, color=TEAM, mec="white",
                        ls="none", zorder=9)
                ax.text(at[0] + dx + 1.8, at[1] - 2.5, f"team ×{plan.team.members}",
                        fontsize=5.5, color=TEAM, va="center", zorder=9, fontweight="bold")
        if plan.has("buttons"):
            for b in plan.alarm.buttons:
                at = _centre(lay, b.space, level)
                if at is not None:
                    ax.plot(at[0] + dx - 2.0, at[1], marker="o", ms=7, color=BUTTON,
                            mfc="white", mew=2.0, ls="none", zorder=9)
        self._barriers(ax, level, dx)

    def _patrols(self, ax: Axes, level: str, dx: float) -> None:
        plan, lay = self.plan, self.layout
        if not plan.has("guards"):
            return
        for k, p in enumerate(plan.guards.patrols):
            if p.count <= 0:
                continue
            pts = [c for sp in p.route if (c := _centre(lay, sp, level)) is not None]
            if len(pts) < 2:
                if pts:
                    ax.plot(pts[0][0] + dx, pts[0][1], marker="*", ms=7, color=PATROL,
                            ls="none", zorder=8)
                continue
            off = 1.2 * (k % 3)  # patrols sharing a route stay apart
            loop = [*pts, pts[0]]
            ax.plot([x + dx + off for x, _ in loop], [y + off for _, y in loop], ls="--",
                    lw=1.2, color=PATROL, zorder=8, alpha=0.85)
            ax.annotate("", xy=(loop[1][0] + dx + off, loop[1][1] + off),
                        xytext=(loop[0][0] + dx + off, loop[0][1] + off),
                        arrowprops={"arrowstyle": "->", "color": PATROL, "lw": 1.2},
                        zorder=8)
            ax.text(pts[0][0] + dx + off, pts[0][1] + off - 1.5, f"{p.id} ×{p.count}",
                    fontsize=5.5, color=PATROL, zorder=9, fontweight="bold")

    def _barriers(self, ax: Axes, level: str, dx: float) -> None:
        lay = self.layout
        for b in self.plan.barriers:
            colour, style = BARRIER_STYLE.get(b.kind, ("#000000", "bar"))
            if b.opening is not None:
                o = lay.openings.get(b.opening)
                if o is None or o.level != level:
                    continue
                (x0, y0), (x1, y1) = _opening_segment(lay, o)
                # one step outwards from the building, across the door
                n = max(3, min(12, int(o.width_m / 1.5) + 1))
                xs = [x0 + (x1 - x0) * i / (n - 1) + dx for i in range(n)]
                ys = [y0 + (y1 - y0) * i / (n - 1) for i in range(n)]
                if style == "bar":
                    ax.plot([x0 + dx, x1 + dx], [y0, y1], color=colour, lw=5.5, alpha=0.7,
                            solid_capstyle="butt", zorder=7)
                else:
                    ax.plot(xs, ys, ls="none", marker="o", ms=3.2, color=colour,
                            mfc=colour if style == "dots" else "white", mew=1.0, zorder=10)
            elif b.space is not None:
                s = lay.spaces.get(b.space)
                if s is None or not s.polygon or level not in s.levels:
                    continue
                xs = [x + dx for x, _ in [*s.polygon, s.polygon[0]]]
                ys = [y for _, y in [*s.polygon, s.polygon[0]]]
                ax.plot(xs, ys, color=colour, lw=2.5, ls=":" if style != "bar" else "-",
                        zorder=7)


def legend_handles(plan: SecurityPlan) -> list[Artist]:
    """Legend entries of everything :func:`draw_security_plan` may draw."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    out: list[Artist] = [
        Line2D([], [], marker="^", ms=8, color=GUARD, ls="none", label="guard post (×guards)"),
        Line2D([], [], color=PATROL, ls="--", lw=1.2, label="patrol route (×guards)"),
        Line2D([], [], marker="s", ms=7, color=TEAM, ls="none", label="defence team base"),
        Line2D([], [], marker="s", ms=4, color=CAMERA, ls="none", label="camera"),
        Line2D([], [], color=CAMERA, lw=0.6, label="camera → door it watches"),
        Patch(fill=False, hatch="////", edgecolor=GAP_CAMERA,
              label="to be watched, no camera sees it"),
        Line2D([], [], marker="o", ms=7, color=BUTTON, mfc="white", mew=2.0, ls="none",
               label="alarm button"),
        Patch(fill=False, hatch="\\\\\\\\", edgecolor=PA, label="outside every PA zone"),
    ]
    kinds = {b.kind for b in plan.barriers}
    names = {"bollard": "bollards", "rising_bollard": "rising bollards", "fence": "fence",
             "isolation": "isolation railing", "hard_barrier": "hard barrier"}
    for k in ("bollard", "rising_bollard", "fence", "isolation", "hard_barrier"):
        if k not in kinds:
            continue
        colour, style = BARRIER_STYLE[k]
        if style == "bar":
            out.append(Line2D([], [], color=colour, lw=5, alpha=0.7, label=names[k]))
        else:
            out.append(Line2D([], [], ls="none", marker="o", ms=3.5, color=colour,
                              mfc=colour if style == "dots" else "white", label=names[k]))
    return out


def draw_security_plan(layout: Layout, plan: SecurityPlan, *,
                       levels: Sequence[str] | None = None, title: str | None = None,
                       highlight_spaces: Sequence[str] = (),
                       highlight_openings: Sequence[str] = (),
                       panel_width_in: float = 7.5) -> Figure:
    """The layout's levels with space ids and the plan drawn on top (module notes)."""
    name = plan.name or "security plan"
    t = title if title is not None else (
        name if name.startswith(layout.mall.name) else f"{layout.mall.name}: {name}")
    return draw_plan(layout, None, levels=levels, space_ids=True,
                     overlay=_Overlay(layout, plan), legend=legend_handles(plan), title=t,
                     highlight_spaces=highlight_spaces, highlight_openings=highlight_openings,
                     panel_width_in=panel_width_in)


def count_items(plan: SecurityPlan) -> dict[str, int]:
    """How many of each drawn item the plan holds (for captions)."""
    g = plan.guards
    return {"posts": sum(1 for p in g.posts if p.count > 0),
            "patrols": sum(1 for p in g.patrols if p.count > 0),
            "cameras": len(plan.cctv.cameras), "buttons": len(plan.alarm.buttons),
            "pa_zones": len(plan.pa.zones), "barriers": len(plan.barriers)}


__all__ = ["count_items", "draw_security_plan", "legend_handles"]
