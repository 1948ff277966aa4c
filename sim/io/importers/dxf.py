"""Import a floor plan drawn in DXF (AutoCAD) into a SafeMall layout.

What is read (see ``docs/import-export.md`` for the full description):

* **Layer map** (TOML, :func:`load_layer_map`): which layer holds which space kind, the
  doors, exit doors, labels and the building outline, and which level each layer is
  on (a layer-name prefix such as ``1F-`` per level, an explicit ``level`` per layer,
  or one DXF file per level).
* **Spaces**: closed LWPOLYLINE / POLYLINE (arcs flattened to 1 cm) on a space layer;
  the kind comes from the layer, or from a TEXT/MTEXT label inside the polygon
  (``SHOP S-101``, ``STAIR S1 L1-L2``). INSERTs on space layers are exploded.
* **Doors**: INSERTs (the opening runs along the block's X axis over the block's
  bounding box, so ``X scale`` x block width is the door width), LINEs and open
  2-point polylines on a door layer. A door joins the two spaces its midpoint touches.
* **Exits**: a door touching one space that lies on the outline or an exit-door layer.
* **Units**: ``--units``, else the map's ``units``, else ``$INSUNITS``.

Everything not understood becomes a :class:`~sim.io.importers.report.Finding`.
"""

from __future__ import annotations

import fnmatch
import math
import re
import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import ezdxf
import ezdxf.bbox
import ezdxf.path
from ezdxf.math import Vec3
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from shapely.geometry import LineString, MultiLineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from sim.errors import LayoutError
from sim.io.importers._draft import (
    SPACE_EXTRA_KEYS,
    Draft,
    DraftDoor,
    DraftLevel,
    DraftSpace,
    ImportResult,
    check_connectivity,
    check_overlaps,
    clean_ring,
    finish,
    long_side,
    match_doors,
    plausible_line,
    plausible_points,
    polygon_problem,
    same_flight,
)
from sim.io.importers.report import ImportReport, capture_warnings
from sim.io.input_file import check_input_file
from sim.io.toml import read_toml
from sim.model import limits
from sim.model.layout import OPENING_KINDS, SPACE_KINDS, VERTICAL_KINDS
from sim.model.validation import Number, first_error

MAP_SCHEMA = "safemall/dxf-map/1"
#: Space kinds a layer can hold (exits are made from doors, never drawn).
LAYER_KINDS = frozenset(SPACE_KINDS) - {"exit"}
#: ``space``: kind from the label inside the polygon.
SPACE_ROLES = LAYER_KINDS | {"space"}
ROLES = SPACE_ROLES | {"door", "exit_door", "label", "outline", "ignore"}
UNIT_FACTORS: dict[str, float] = {"m": 1.0, "cm": 0.01, "mm": 0.001, "in": 0.0254, "ft": 0.3048}
_INSUNITS_NAMES = {1: "in", 2: "ft", 4: "mm", 5: "cm", 6: "m"}

#: First word of a label -> space kind. Kind names themselves (``SHOP``, ``CCTV_ROOM``)
#: always work; the map's ``[labels]`` table adds more.
DEFAULT_KEYWORDS: dict[str, str] = {
    **{k.upper(): k for k in LAYER_KINDS},
    "STORE": "shop", "RETAIL": "shop", "UNIT": "shop", "KIOSK": "shop",
    "WALKWAY": "corridor", "CORR": "corridor", "MALL": "corridor", "LOBBY": "corridor",
    "STAIRS": "stair", "STAIRCASE": "stair", "ESC": "escalator",
    "CCTV": "cctv_room", "DUTY": "duty_room", "FINANCE": "finance_room", "CASH": "finance_room",
    "CARPARK": "parking",
    "商铺": "shop", "店铺": "shop", "走廊": "corridor", "通道": "corridor", "中庭": "atrium",
    "楼梯": "stair", "扶梯": "escalator", "广场": "plaza", "停车场": "parking",
    "监控室": "cctv_room", "值班室": "duty_room", "财务室": "finance_room", "设备间": "service",
}
#: First word of a label near a door -> opening kind (``EXIT`` names an exit).
OPENING_KEYWORDS: dict[str, str] = {
    "DOOR": "door", "OPENING": "opening", "SHUTTER": "shutter", "FIRE_DOOR": "fire_door",
    "FIREDOOR": "fire_door", "门": "door", "防火门": "fire_door", "卷帘": "shutter",
}
EXIT_KEYWORDS = frozenset({"EXIT", "出口", "安全出口"})
_ATTR_ALIASES = {"length": "length_m", "riser": "riser_mm", "tread": "tread_mm",
                 "height": "height_m", "width": "width_m",
                 **{k: k for k in SPACE_EXTRA_KEYS}}


# ----------------------------------------------------------------------------- layer map

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class _LevelRule(_Strict):
    id: str = Field(min_length=1)
    elevation_m: Number = Field(default=0.0, ge=-limits.MAX_ELEVATION_M,
                                le=limits.MAX_ELEVATION_M)
    prefix: str | None = None
    name: str = ""


class _LayerRule(_Strict):
    role: str
    level: str | None = None


class _MapModel(_Strict):
    schema_: Literal["safemall/dxf-map/1"] = Field(default="safemall/dxf-map/1", alias="schema")
    name: str = ""
    units: Literal["m", "cm", "mm", "in", "ft"] | None = None
    tolerance_m: Number = Field(default=0.5, gt=0, le=100)
    label_tolerance_m: Number = Field(default=1.0, gt=0, le=100)
    stair_levels: Literal["up", "down", "none"] = "none"
    levels: list[_LevelRule] = Field(default_factory=list)
    layers: dict[str, str | _LayerRule] = Field(min_length=1)
    labels: dict[str, str] = Field(default_factory=dict)


@dataclass(frozen=True)
class LayerMap:
    """A parsed layer map. :meth:`resolve` gives a layer's role and level."""

    levels: tuple[DraftLevel, ...]
    prefixes: tuple[tuple[str, str], ...]
    rules: tuple[tuple[str, str, str | None], ...]
    keywords: dict[str, str]
    units: str | None = None
    tolerance_m: float = 0.5
    label_tolerance_m: float = 1.0
    stair_levels: str = "none"
    name: str = ""
    source: str = "<memory>"
    _cache: dict[tuple[str, str | None], tuple[str | None, str | None]] = field(
        default_factory=dict, repr=False, compare=False)

    def _lookup(self, name: str) -> tuple[str, str | None] | None:
        up = name.upper()
        for pat, role, level in self.rules:
            if pat == up:
                return role, level
        for pat, role, level in self.rules:
            if fnmatch.fnmatchcase(up, pat):
                return role, level
        return None

    def resolve(self, layer: str, file_level: str | None = None
                ) -> tuple[str | None, str | None]:
        """``(role, level)`` of a layer; role ``None`` for an unmapped layer.

        The full layer name is looked up first, then the name without its level
        prefix. Exact names win over ``fnmatch`` patterns (``WALL*``); case is ignored.
        The level is the file's (one DXF per level), else the rule's ``level``, else the
        prefix's, else the only level; ``None`` when it cannot be told.
        """
        key = (layer, file_level)
        if key in self._cache:
            return self._cache[key]
        pre_level, rest = None, layer
        for prefix, lid in self.prefixes:
            if layer.upper().startswith(prefix.upper()):
                pre_level, rest = lid, layer[len(prefix):]
                break
        hit = self._lookup(layer) or (self._lookup(rest) if rest != layer else None)
        role, rule_level = hit if hit else (None, None)
        level = file_level or rule_level or pre_level
        if level is None and len(self.levels) == 1:
            level = self.levels[0].id
        self._cache[key] = (role, level)
        return role, level


def layer_map_from_dict(raw: dict[str, Any], *, source: str = "<memory>") -> LayerMap:
    """Validate a parsed layer map (one-line :class:`LayoutError` on a problem)."""
    try:
        m = _MapModel.model_validate(raw)
    except ValidationError as exc:
        fld, reason = first_error(exc, raw)
        raise LayoutError(reason, field=fld, source=source) from None
    levels = tuple(DraftLevel(lv.id, lv.elevation_m, lv.name) for lv in m.levels) \
        or (DraftLevel("L1", 0.0),)
    ids = [lv.id for lv in levels]
    if len(set(ids)) != len(ids):
        raise LayoutError("duplicate level id", field="levels", source=source)
    rules: list[tuple[str, str, str | None]] = []
    for pat, rule in m.layers.items():
        role, level = (rule, None) if isinstance(rule, str) else (rule.role, rule.level)
        if role not in ROLES:
            raise LayoutError(f"unknown role {role!r}; expected a space kind or one of "
                              "space door exit_door label outline ignore",
                              field=f"layers[{pat!r}]", source=source)
        if level is not None and level not in ids:
            raise LayoutError(f"unknown level {level!r}", field=f"layers[{pat!r}].level",
                              source=source)
        rules.append((pat.upper(), role, level))
    keywords = dict(DEFAULT_KEYWORDS)
    for word, kind in m.labels.items():
        if kind not in LAYER_KINDS:
            raise LayoutError(f"unknown space kind {kind!r}", field=f"labels[{word!r}]",
                              source=source)
        keywords[word.upper()] = kind
    prefixes = tuple(sorted(((lv.prefix, lv.id) for lv in m.levels if lv.prefix),
                            key=lambda p: -len(p[0])))
    return LayerMap(levels=levels, prefixes=prefixes, rules=tuple(rules), keywords=keywords,
                    units=m.units, tolerance_m=m.tolerance_m,
                    label_tolerance_m=m.label_tolerance_m, stair_levels=m.stair_levels,
                    name=m.name, source=source)


def load_layer_map(path: str | Path) -> LayerMap:
    """Read and validate a layer map TOML file."""
    p = Path(path)
    raw = read_toml(p, LayoutError, "layer map")
    return layer_map_from_dict(raw, source=str(p))


# ----------------------------------------------------------------------------- labels

LabelRole = Literal["space", "opening", "exit"]


@dataclass
class Label:
    """A parsed TEXT/MTEXT: ``KEYWORD [ID] [LEVEL-LEVEL] [#tag] [key=value] [name...]``."""

    text: str
    point: Point
    handle: str
    layer: str
    level: str | None
    keyword: str
    kind: str
    role: LabelRole
    id: str | None = None
    name: str = ""
    levels: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    attrs: dict[str, float] = field(default_factory=dict)
    words: list[str] = field(default_factory=list)
    opening_kind: str | None = None
    to: str | None = None


def parse_label(text: str, keywords: dict[str, str], level_ids: Sequence[str]
                ) -> tuple[str, str, LabelRole, dict[str, Any]] | None:
    """Split a label into ``(keyword, kind, role, fields)``; ``None`` without a keyword."""
    try:
        tokens = shlex.split(text)
    except ValueError:
        tokens = text.split()
    if not tokens:
        return None
    kw = tokens[0].upper()
    role: LabelRole
    if kw in EXIT_KEYWORDS:
        kind, role = "exit", "exit"
    elif kw in OPENING_KEYWORDS:
        kind, role = OPENING_KEYWORDS[kw], "opening"
    elif kw in keywords:
        kind, role = keywords[kw], "space"
    else:
        return None
    f: dict[str, Any] = {"levels": [], "tags": [], "attrs": {}, "words": [],
                         "opening_kind": None, "to": None}
    lvset = {lv.upper(): lv for lv in level_ids}
    for tok in tokens[1:]:
        if tok.startswith("#") and len(tok) > 1:
            f["tags"].append(tok[1:])
            continue
        if "=" in tok:
            k, _, v = tok.partition("=")
            if k.lower() == "kind" and v in OPENING_KINDS:
                f["opening_kind"] = v
                continue
            if k.lower() == "to" and v:
                f["to"] = v
                continue
            if k.lower() in _ATTR_ALIASES:
                try:
                    f["attrs"][_ATTR_ALIASES[k.lower()]] = float(v)
                    continue
                except ValueError:
                    pass
        pair = _level_pair(tok, lvset)
        if pair and not f["levels"]:
            f["levels"] = pair
            continue
        f["words"].append(tok)
    return kw, kind, role, f


def _level_pair(tok: str, lvset: dict[str, str]) -> list[str] | None:
    for m in re.finditer(r"[-~/–]", tok):
        a, b = tok[:m.start()].upper(), tok[m.end():].upper()
        if a in lvset and b in lvset and a != b:
            return [lvset[a], lvset[b]]
    return None


# ----------------------------------------------------------------------------- reading

@dataclass
class _PolyItem:
    handle: str
    layer: str
    level: str
    role: str | None
    poly: Polygon
    labels: list[Label] = field(default_factory=list)


@dataclass
class _FileData:
    polys: list[_PolyItem] = field(default_factory=list)
    doors: list[DraftDoor] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    outlines: dict[str, list[Polygon]] = field(default_factory=dict)


def _units_factor(doc: Any, path: Path, forced: str | None, lmap: LayerMap,
                  rep: ImportReport, extent: float) -> float:
    code = int(doc.header.get("$INSUNITS", 0))
    if forced:
        rep.info("units", f"{path.name}: units {forced} (given; $INSUNITS={code})")
        return UNIT_FACTORS[forced]
    if lmap.units:
        rep.info("units", f"{path.name}: units {lmap.units} (layer map; $INSUNITS={code})")
        return UNIT_FACTORS[lmap.units]
    if code in _INSUNITS_NAMES:
        name = _INSUNITS_NAMES[code]
        rep.info("units", f"{path.name}: units {name} from $INSUNITS={code}")
        return UNIT_FACTORS[name]
    if code != 0:
        f = float(ezdxf.units.conversion_factor(ezdxf.units.InsertUnits(code),
                                                ezdxf.units.InsertUnits.Meters))
        rep.info("units", f"{path.name}: $INSUNITS={code}, factor {f:g} to metres")
        return f
    guess = "mm" if extent > 2000 else "m"
    rep.warning("units-assumed",
                f"{path.name}: $INSUNITS is 0 (unitless); assumed {guess} because the "
                f"drawing spans {extent:.0f} units; give --units to be sure")
    return UNIT_FACTORS[guess]


def cyclic_blocks(doc: Any) -> frozenset[str]:
    """Names of blocks that insert themselves, directly or through other blocks.

    Exploding or measuring such a block never ends (ezdxf recurses until Python's stack
    runs out), so their INSERTs are reported and skipped.
    """
    refs: dict[str, set[str]] = {}
    for blk in doc.blocks:
        refs[blk.name] = {str(e.dxf.name) for e in blk if e.dxftype() == "INSERT"}
    cyclic: set[str] = set()
    for start in refs:  # a depth-first walk from each block: does it reach itself?
        stack, seen = list(refs[start]), set()
        while stack:
            name = stack.pop()
            if name == start:
                cyclic.add(start)
                break
            if name not in seen:
                seen.add(name)
                stack.extend(refs.get(name, ()))
    return frozenset(cyclic)


def _walk(entities: Any, lmap: LayerMap, file_level: str | None, prefix: str,
          parent_layer: str | None = None, parent_handle: str | None = None,
          depth: int = 0, cyclic: frozenset[str] = frozenset()
          ) -> Iterator[tuple[Any, str, str, str | None, str | None]]:
    """Yield ``(entity, layer, handle, role, level)``; INSERTs off door layers exploded
    (INSERTs of self-inserting blocks are yielded as they are, and reported later)."""
    for k, e in enumerate(entities):
        layer = str(e.dxf.get("layer", "0"))
        if parent_layer is not None and layer == "0":
            layer = parent_layer
        handle = e.dxf.get("handle") or f"{parent_handle}/{k}"
        handle = f"{prefix}{handle}" if parent_handle is None else handle
        role, level = lmap.resolve(layer, file_level)
        if role == "ignore":
            continue
        if e.dxftype() == "INSERT" and role not in ("door", "exit_door") and depth < 4 \
                and str(e.dxf.name) not in cyclic:
            try:
                virtual = list(e.virtual_entities())
            except Exception:  # a broken block must not stop the import
                virtual = []
            yield from _walk(virtual, lmap, file_level, prefix, layer, handle, depth + 1,
                             cyclic)
            continue
        yield e, layer, handle, role, level


def _flatten(e: Any, step: float) -> list[tuple[float, float]]:
    p = ezdxf.path.make_path(e)
    return [(v.x, v.y) for v in p.flattening(step)]


def _read_file(path: Path, lmap: LayerMap, rep: ImportReport, *, units: str | None,
               file_level: str | None, prefix: str) -> _FileData:
    check_input_file(path, LayoutError, "DXF", limit=limits.MAX_DRAWING_BYTES)
    try:
        doc = ezdxf.readfile(str(path))
    except OSError as exc:
        raise LayoutError(f"cannot read DXF ({exc.strerror or exc})", source=str(path)) \
            from None
    except ezdxf.DXFError as exc:
        raise LayoutError(f"not a readable DXF: {exc}", source=str(path)) from None
    except Exception as exc:
        # file (StopIteration, IndexError, ValueError ...) means it cannot be read
        raise LayoutError(f"not a readable DXF ({type(exc).__name__}: {exc})",
                          source=str(path)) from None
    msp = doc.modelspace()
    cyclic = cyclic_blocks(doc)
    items = list(_walk(msp, lmap, file_level, prefix, cyclic=cyclic))
    extent = 0.0
    for e, _, _, role, _ in items:
        if role in SPACE_ROLES and e.dxftype() in ("LWPOLYLINE", "POLYLINE"):
            try:
                box = ezdxf.bbox.extents([e])
                extent = max(extent, box.size.x, box.size.y)
            except Exception:  # noqa: S112
                continue
    factor = _units_factor(doc, path, units, lmap, rep, extent)
    step = 0.01 / factor
    out = _FileData()
    unsupported: dict[tuple[str, str], int] = {}
    plain_texts = 0
    level_ids = [lv.id for lv in lmap.levels]
    for e, layer, handle, role, level in items:
        t = e.dxftype()
        where = {"source_id": handle, "layer": layer}
        if t in ("TEXT", "MTEXT"):
            lab = _label(e, t, layer, handle, level, factor, lmap, level_ids)
            if lab is None:
                plain_texts += 1
                if role == "label":
                    rep.info("unknown-label",
                             f"text {_text_of(e, t)!r} has no known keyword; ignored", **where)
            else:
                out.labels.append(lab)
            continue
        if role is None and t not in ("LWPOLYLINE", "POLYLINE"):
            continue
        if role == "label":
            continue
        if level is None:
            if role is not None:
                rep.error("no-level", f"{t} on layer {layer}: no level prefix matches and the "
                          "layer map gives no level; skipped", **where)
                continue
            level = ""  # an unmapped polygon: its level may come from a label inside
        if t == "INSERT" and str(e.dxf.name) in cyclic:
            if role is not None:
                rep.error("cyclic-block", f"block {e.dxf.name!r} inserts itself (directly "
                          "or through other blocks); skipped", **where)
            continue
        if role in ("door", "exit_door"):
            door = _door(e, t, factor, rep, where)
            if door is not None and not plausible_line(door, rep, "door", where):
                door = None
            if door is not None:
                out.doors.append(DraftDoor(handle, layer, level, door,
                                           exit_hint=role == "exit_door",
                                           id=_attrib(e, "ID"), kind=_door_kind(e)))
            continue
        if t not in ("LWPOLYLINE", "POLYLINE") or (t == "POLYLINE" and not (
                e.is_2d_polyline or e.is_3d_polyline)):
            unsupported[(layer, t)] = unsupported.get((layer, t), 0) + 1
            continue
        pts = [(x * factor, y * factor) for x, y in _flatten(e, step)]
        closed = bool(e.closed if t == "LWPOLYLINE" else e.is_closed)
        if not closed:
            if role is None:
                continue  # walls and hatching on unmapped layers
            if len(pts) > 2 and math.dist(pts[0], pts[-1]) <= 1e-3:
                rep.info("closed-by-points",
                         "polyline not flagged closed but ends where it starts; closed it",
                         level=level, **where)
            else:
                if role == "outline":
                    rep.warning("open-polyline", "open polyline on the outline layer; "
                                "ignored (exits need a closed outline)", level=level, **where)
                else:
                    rep.error("open-polyline",
                              f"open polyline ({len(pts)} points) is not a space; skipped",
                              level=level, **where)
                continue
        if not plausible_points(pts, rep, f"{t} on layer {layer}", where,
                                report=role is not None):
            continue
        ring = clean_ring(pts)
        problem = polygon_problem(ring)
        if problem:
            if role is not None:
                rep.error("bad-polygon", f"closed polyline unusable: {problem}; skipped",
                          level=level, **where)
            continue
        poly = Polygon(ring)
        if role == "outline":
            out.outlines.setdefault(level, []).append(poly)
        else:
            out.polys.append(_PolyItem(handle, layer, level, role, poly))
    for (layer, t), n in sorted(unsupported.items()):
        rep.info("unsupported-entity", f"{n} {t} entit{'y' if n == 1 else 'ies'} on a mapped "
                 "layer not read (spaces are closed polylines)", layer=layer)
    if plain_texts:
        rep.info("texts-ignored", f"{path.name}: {plain_texts} texts without a keyword ignored")
    return out


def _text_of(e: Any, t: str) -> str:
    if t == "MTEXT":
        return " ".join(str(e.plain_text(split=False)).split())
    return " ".join(str(e.plain_text()).split())


def _label(e: Any, t: str, layer: str, handle: str, level: str | None, factor: float,
           lmap: LayerMap, level_ids: list[str]) -> Label | None:
    text = _text_of(e, t)
    parsed = parse_label(text, lmap.keywords, level_ids)
    if parsed is None:
        return None
    if t == "TEXT":
        use_align = (e.dxf.get("halign", 0) or e.dxf.get("valign", 0)) \
            and e.dxf.hasattr("align_point")
        pos = e.dxf.align_point if use_align else e.dxf.insert
        pos = e.ocs().to_wcs(pos)
    else:
        pos = e.dxf.insert
    kw, kind, role, f = parsed
    words = f["words"]
    return Label(text=text, point=Point(pos.x * factor, pos.y * factor), handle=handle,
                 layer=layer, level=level, keyword=kw, kind=kind, role=role,
                 id=words[0] if words else None, name=" ".join(words[1:]),
                 levels=f["levels"], tags=f["tags"], attrs=f["attrs"], words=words,
                 opening_kind=f["opening_kind"], to=f["to"])


def _attrib(e: Any, tag: str) -> str | None:
    if e.dxftype() != "INSERT":
        return None
    val = e.get_attrib_text(tag, None)
    return str(val).strip() or None if val is not None else None


def _door_kind(e: Any) -> str:
    k = _attrib(e, "KIND")
    return k if k in OPENING_KINDS else "door"


def _door(e: Any, t: str, factor: float, rep: ImportReport, where: dict[str, str]
          ) -> LineString | None:
    """The opening line (metres) of a door entity, or ``None`` (reported)."""
    if t == "LINE":
        a, b = e.dxf.start, e.dxf.end
        return LineString([(a.x * factor, a.y * factor), (b.x * factor, b.y * factor)])
    if t == "INSERT":
        blk = e.block()
        ents = [x for x in blk if x.dxftype() not in ("ATTDEF",)] if blk is not None else []
        box = ezdxf.bbox.extents(ents) if ents else None
        if blk is None or box is None or not box.has_data or box.size.x <= 0:
            rep.error("door-block", f"door block {e.dxf.name!r} is missing or has no width; "
                      "skipped", **where)
            return None
        y = blk.block.dxf.base_point.y
        m = e.matrix44()
        p0 = m.transform(Vec3(box.extmin.x, y, 0))
        p1 = m.transform(Vec3(box.extmax.x, y, 0))
        return LineString([(p0.x * factor, p0.y * factor), (p1.x * factor, p1.y * factor)])
    if t in ("LWPOLYLINE", "POLYLINE"):
        pts = [(x * factor, y * factor) for x, y in _flatten(e, 0.01 / factor)]
        closed = bool(e.closed if t == "LWPOLYLINE" else e.is_closed)
        ring = clean_ring(pts)
        if closed and len(ring) >= 3:
            # a door drawn as a rectangle: the opening is its long centre line
            rect = Polygon(ring).minimum_rotated_rectangle
            c = list(rect.exterior.coords)[:4]
            e0, e1 = math.dist(c[0], c[1]), math.dist(c[1], c[2])
            if e0 >= e1:
                a = ((c[0][0] + c[3][0]) / 2, (c[0][1] + c[3][1]) / 2)
                b = ((c[1][0] + c[2][0]) / 2, (c[1][1] + c[2][1]) / 2)
            else:
                a = ((c[0][0] + c[1][0]) / 2, (c[0][1] + c[1][1]) / 2)
                b = ((c[3][0] + c[2][0]) / 2, (c[3][1] + c[2][1]) / 2)
            return LineString([a, b])
        if len(ring) >= 2:
            return LineString([ring[0], ring[-1]])
    rep.error("door-entity", f"{t} on a door layer is not a door (use an INSERT, a LINE or "
              "a polyline); skipped", **where)
    return None


# ----------------------------------------------------------------------------- assembly

def _assign_labels(polys: list[_PolyItem], labels: list[Label], rep: ImportReport) -> None:
    """Give each space label to the smallest polygon that contains it (mapped layers first)."""
    mapped = [p for p in polys if p.role is not None]
    unmapped = [p for p in polys if p.role is None]
    for lab in labels:
        if lab.role != "space":
            continue
        home = None
        for group in (mapped, unmapped):
            inside = [p for p in group if (lab.level is None or p.level in ("", lab.level))
                      and p.poly.covers(lab.point)]
            if inside:
                home = min(inside, key=lambda p: p.poly.area)
                break
        if home is None:
            rep.warning("stray-label", f"label {lab.text!r} lies inside no space; ignored",
                        source_id=lab.handle, layer=lab.layer, level=lab.level or "")
        else:
            home.labels.append(lab)


def _pick_label(p: _PolyItem, rep: ImportReport) -> Label | None:
    if not p.labels:
        return None
    c = p.poly.centroid
    labs = sorted(p.labels, key=lambda lab: lab.point.distance(c))
    if len(labs) > 1:
        rep.warning("multiple-labels",
                    f"{len(labs)} labels inside one polygon ({'; '.join(x.text for x in labs)})"
                    f"; used {labs[0].text!r}", source_id=p.handle, layer=p.layer, level=p.level)
    return labs[0]


def _build_spaces(draft: Draft, polys: list[_PolyItem], lmap: LayerMap) -> None:
    rep = draft.report
    order = draft.level_ids()
    verticals: list[tuple[_PolyItem, Label | None, str]] = []
    for p in polys:
        where = {"source_id": p.handle, "layer": p.layer, "level": p.level}
        lab = _pick_label(p, rep)
        if p.role in LAYER_KINDS:
            kind = p.role
            if lab is not None and lab.kind != kind:
                rep.warning("label-conflict", f"label {lab.text!r} says {lab.kind}, the layer "
                            f"says {kind}; used {kind}", **where)
        elif p.role == "space":
            if lab is None:
                rep.error("no-kind", "polygon on a label-kind layer has no label inside; "
                          "kind unknown, skipped", **where)
                continue
            kind = lab.kind
        else:
            if lab is None:
                rep.warning("unmapped-polygon", "unlabelled closed polygon on an unmapped "
                            "layer; ignored (map the layer or label it)", **where)
                continue
            kind = lab.kind
            if not p.level:
                if lab.level is None:
                    rep.error("no-level", f"labelled polygon on an unmapped layer without a "
                              f"level ({lab.text!r}); skipped", **where)
                    continue
                p.level = where["level"] = lab.level
            rep.info("unmapped-layer", f"layer not in the map; kind {kind} from label "
                     f"{lab.text!r}", **where)
        if kind in VERTICAL_KINDS:
            verticals.append((p, lab, kind))
            continue
        sid = (lab.id if lab and lab.id else None) or f"{kind}-{p.handle}"
        if sid in draft.spaces:
            rep.warning("duplicate-id", f"space id {sid!r} used twice; renamed", **where)
        draft.add_space(DraftSpace(sid, kind, [p.level], p.poly, source_id=p.handle,
                                   where=p.layer, name=lab.name if lab else "",
                                   tags=list(lab.tags) if lab else [],
                                   extra=dict(lab.attrs) if lab else {}))
    _build_verticals(draft, verticals, lmap, order)


def _build_verticals(draft: Draft, verticals: list[tuple[_PolyItem, Label | None, str]],
                     lmap: LayerMap, order: list[str]) -> None:
    rep = draft.report
    made: list[DraftSpace] = []

    def merge(s: DraftSpace, p: _PolyItem, why: str) -> None:
        s.geoms[p.level] = p.poly
        s.source_id = f"{s.source_id}+{p.handle}"
        rep.info("stair-merged", f"{s.kind} drawn on {p.level} is {s.id} ({why})",
                 source_id=p.handle, layer=p.layer, level=p.level)

    first = [v for v in verticals if v[1] is not None and v[1].levels]
    rest = [v for v in verticals if not (v[1] is not None and v[1].levels)]
    rest.sort(key=lambda v: order.index(v[0].level))
    for p, lab, kind in first + rest:
        where = {"source_id": p.handle, "layer": p.layer, "level": p.level}
        lid = lab.id if lab and lab.id else None
        if lab is not None and lab.levels:
            levels = sorted(lab.levels, key=order.index)
            if p.level not in levels:
                rep.warning("stair-level-mismatch", f"drawn on {p.level} but labelled "
                            f"{'-'.join(levels)}", **where)
        else:
            twin = next((s for s in made if s.kind == kind and p.level in s.levels
                         and p.level not in s.geoms and (
                             (lid is not None and s.id == lid)
                             or (s.polygon is not None and same_flight(s.polygon, p.poly)))),
                        None)
            if twin is not None:
                merge(twin, p, "same plan" if lid is None else "same label")
                continue
            i = order.index(p.level)
            j = i + 1 if lmap.stair_levels == "up" else i - 1 \
                if lmap.stair_levels == "down" else -1
            if 0 <= j < len(order) and lmap.stair_levels != "none":
                levels = sorted([p.level, order[j]], key=order.index)
                rep.info("stair-levels-rule", f"{kind} has no level label; joined "
                         f"{'-'.join(levels)} by the map rule stair_levels = "
                         f"{lmap.stair_levels!r}", **where)
            else:
                levels = [p.level]
                rep.warning("stair-no-levels", f"{kind} has no level information (label it "
                            "like 'STAIR S1 L1-L2' or set stair_levels in the map); kept on "
                            f"{p.level} only", **where)
        twin = next((s for s in made if lid is not None and s.id == lid
                     and s.levels == levels and p.level not in s.geoms), None)
        if twin is not None:
            merge(twin, p, "same label")
            continue
        sid = lid or f"{kind}-{p.handle}"
        s = draft.add_space(DraftSpace(sid, kind, levels, p.poly, source_id=p.handle,
                                       where=p.layer, name=lab.name if lab else "",
                                       tags=list(lab.tags) if lab else [],
                                       extra=dict(lab.attrs) if lab else {},
                                       geoms={p.level: p.poly}))
        made.append(s)
    for s in made:
        s.polygon = s.geoms.get(s.levels[0]) or next(iter(s.geoms.values()))
        if "length_m" not in s.extra:
            rise = abs(draft.elevation(s.levels[-1]) - draft.elevation(s.levels[0]))
            run = long_side(s.polygon)
            s.extra["length_m"] = math.hypot(run, rise)
            rep.info("stair-length", f"{s.id}: walking length {s.extra['length_m']:.1f} m "
                     f"from the plan's long side {run:.1f} m and a rise of {rise:.1f} m",
                     source_id=s.source_id, layer=s.where, level=s.levels[0])


def _label_doors(doors: list[DraftDoor], labels: list[Label], tol: float,
                 rep: ImportReport) -> None:
    """Give door and exit labels to door midpoints within ``tol``, one label per door.

    Labels are taken nearest first; a label whose nearest doors are all taken goes to
    the next free door within ``tol`` (coincident doors, e.g. stacked stair doors).
    """
    mids = [d.line.interpolate(0.5, normalized=True) for d in doors]
    pairs: list[tuple[float, int, int]] = []
    door_labels = [lab for lab in labels if lab.role != "space"]
    for j, lab in enumerate(door_labels):
        for i, d in enumerate(doors):
            if lab.level is not None and d.level != lab.level:
                continue
            dist = float(mids[i].distance(lab.point))
            if dist <= tol:
                pairs.append((dist, j, i))
    pairs.sort()
    door_of: dict[int, int] = {}
    taken: set[int] = set()
    for _, j, i in pairs:
        if j in door_of or i in taken:
            continue
        door_of[j] = i
        taken.add(i)
    for j, lab in enumerate(door_labels):
        if j in door_of:
            continue
        near = [i for _, jj, i in pairs if jj == j]
        what = "every door near it already has a label" if near else \
            f"it is near no door (within {tol} m)"
        rep.warning("stray-label", f"label {lab.text!r} ignored: {what}",
                    source_id=lab.handle, layer=lab.layer, level=lab.level or "")
    for j, i in door_of.items():
        lab, d = door_labels[j], doors[i]
        if lab.role == "exit":
            d.exit_hint = True
            d.exit_id = lab.words[0] if lab.words else None
            d.id = lab.words[1] if len(lab.words) > 1 else d.id
        else:
            d.id = lab.id or d.id
            d.kind = lab.kind
        if lab.opening_kind:
            d.kind = lab.opening_kind
        d.to = lab.to
        d.tags.extend(lab.tags)


@capture_warnings
def import_dxf(paths: Sequence[str | Path], layer_map: LayerMap, *,
               units: str | None = None, level_from: Literal["layer", "file"] = "layer",
               file_levels: Sequence[str] | None = None, drop_unreachable: bool = False,
               name: str | None = None, tolerance_m: float | None = None) -> ImportResult:
    """Import one DXF (levels by layer) or one DXF per level (``level_from="file"``).

    Raises :class:`LayoutError` only when a file cannot be read or the options do not
    fit; problems inside the drawing go to the report and, if they make the layout
    invalid, to :attr:`ImportResult.error`.
    """
    ps = [Path(p) for p in paths]
    if not ps:
        raise LayoutError("no DXF file given")
    if units is not None and units not in UNIT_FACTORS:
        raise LayoutError(f"unknown units {units!r}; expected one of {', '.join(UNIT_FACTORS)}",
                          field="--units")
    level_ids = [lv.id for lv in layer_map.levels]
    if level_from == "file":
        fl = list(file_levels) if file_levels else level_ids[:len(ps)]
        if len(fl) != len(ps):
            raise LayoutError(f"{len(ps)} DXF files but {len(fl)} levels; give one --level "
                              "per file", field="--level")
        for lid in fl:
            if lid not in level_ids:
                raise LayoutError(f"unknown level {lid!r} (not in the layer map)",
                                  field="--level", source=layer_map.source)
    elif len(ps) > 1:
        raise LayoutError("several DXF files need --level-from file", field="--level-from")
    else:
        fl = [None]  # type: ignore[list-item]
    rep = ImportReport(", ".join(str(p) for p in ps), "DXF")
    draft = Draft(name or layer_map.name or ps[0].stem, rep, levels=list(layer_map.levels))
    tol = tolerance_m or layer_map.tolerance_m
    data = _FileData()
    for p, lid in zip(ps, fl, strict=True):
        prefix = f"{p.stem}:" if level_from == "file" else ""
        fd = _read_file(p, layer_map, rep, units=units, file_level=lid, prefix=prefix)
        data.polys += fd.polys
        data.doors += fd.doors
        data.labels += fd.labels
        for k, v in fd.outlines.items():
            data.outlines.setdefault(k, []).extend(v)
    _assign_labels(data.polys, data.labels, rep)
    _build_spaces(draft, data.polys, layer_map)
    _label_doors(data.doors, data.labels, layer_map.label_tolerance_m, rep)
    outlines: dict[str, BaseGeometry] = {
        lv: MultiLineString([list(pg.exterior.coords) for pg in polys])
        for lv, polys in data.outlines.items()}
    for lv in draft.level_ids():
        if lv not in outlines and any(lv in s.levels for s in draft.spaces.values()):
            rep.info("no-outline", "no outline on this level: only doors on an exit layer "
                     "make exits", level=lv)
    match_doors(draft, data.doors, outlines, tol)
    check_overlaps(draft)
    check_connectivity(draft, drop_unreachable=drop_unreachable)
    return finish(draft, str(ps[0]))
