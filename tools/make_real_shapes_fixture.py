"""Write small venue extracts in the shapes real published data has, for the importer tests.

    python tools/make_real_shapes_fixture.py [--dir tests/fixtures/import]

Writes three files (deterministic), drawn in local metres near 113.65 E, 34.76 N:

``real_shapes.imdf.zip`` (IMDF), the defects of a real venue's archive in miniature:

* the level and venue polygons are the whole site (-50..50 x -30..30), so **no opening
  touches them**; the building's ground ``footprint`` (-30.5..30.5 x -15.5..15.5) lies
  0.5 m outside the units (a wall): the west door of the walkway (x = -30) is an exterior
  door only when the footprint is read;
* L1 (ordinal 0): walkway W (-30..30 x -3..3); rooms A (-30..-10), B (-10..10), C (10..30)
  north of it (y 3..15); south: room D (-30..0), ``lobby`` E (0..10, its south edge on
  the footprint, no door out), room F of the unknown category ``wardrobe`` (10..20), and
  stairs S1 (20..26 x -9..-3); every opening has category ``automobile``;
* L2 (ordinal 1): walkway W2 (-30..20 x -15..15) drawn over a kiosk K (-5..5 x -2..2)
  that it fully contains; stairs S2 (20..26 x -9..-3) right above S1, touching W2; room
  Q (26..30 x -15..-9) with no opening (a partly mapped corner);
* **no relationship file**: the two stairs units are joined by nothing.

``sit_mall.osm`` (written with pyosmium) and ``sit_mall.geojson`` (the same elements as
an overpass-turbo / osmtogeojson export), Simple Indoor Tagging:

* a ``shop=mall`` building (-20..20 x -10..10);
* level 0: corridor (-20..20 x -2..2); rooms Alpha (``shop=clothes``, -20..0 x 2..10),
  books (0..20 x 2..10), toilets (``room=toilets``, -20..-10 x -10..-2, **no door**), an
  untagged room (0..10 x -10..-2) with a ``shop=shoes`` node "Delta Shoes" inside;
  stairs ``room=stairs`` on ``level=0;1`` (10..16 x -10..-2);
* level 0.5: a mezzanine room (-10..0 x -10..-2), joined to nothing;
* level 1: corridor (-20..20 x -2..2), supermarket Beta (-20..20 x 2..10), a cinema
  Gamma on ``level=1-2`` (-20..-10 x -10..-2);
* doors: ``door=yes`` nodes Alpha (-10, 2), books (10, 2, ``width=1.5``), untagged room
  (5, -2), stairs (13, -2, on ``level=0;1``), Beta (-10, 2, level 1), Gamma (-15, -2,
  level 1); entrances: ``entrance=main`` (-20, 0, level 0, ``width=2.4``) and
  ``entrance=yes`` (20, 0) without a level; a ``highway=elevator`` node on ``0;1``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_imdf_fixture import feature, line, ll, name, poly, uid, write_archive

# ----------------------------------------------------------------------------- IMDF

#: (key, category, name, rect x0, y0, x1, y1, level key)
UNITS = [
    ("W", "walkway", "Mall walk", (-30, -3, 30, 3), "L1"),
    ("A", "room", "Alpha", (-30, 3, -10, 15), "L1"),
    ("B", "room", "Bravo", (-10, 3, 10, 15), "L1"),
    ("C", "room", "Charlie", (10, 3, 30, 15), "L1"),
    ("D", "room", "Delta", (-30, -15, 0, -3), "L1"),
    ("E", "lobby", "South lobby", (0, -15, 10, -3), "L1"),
    ("F", "wardrobe", "Cloakroom", (10, -15, 20, -3), "L1"),
    ("S1", "stairs", None, (20, -9, 26, -3), "L1"),
    ("W2", "walkway", "Upper walk", (-30, -15, 20, 15), "L2"),
    ("K", "room", "Kiosk", (-5, -2, 5, 2), "L2"),
    ("S2", "stairs", None, (20, -9, 26, -3), "L2"),
    ("Q", "room", "Unmapped corner", (26, -15, 30, -9), "L2"),
]
#: (key, level, x0, y0, x1, y1): openings, all of category automobile
OPENINGS = [
    ("oA", "L1", -21, 3, -19, 3), ("oB", "L1", -1, 3, 1, 3), ("oC", "L1", 19, 3, 21, 3),
    ("oD", "L1", -16, -3, -14, -3), ("oE", "L1", 4, -3, 6, -3), ("oF", "L1", 14, -3, 16, -3),
    ("oS1", "L1", 22, -3, 24, -3), ("oWest", "L1", -30, -1, -30, 1),
    ("oK", "L2", -1, 2, 1, 2),
]


def build_imdf() -> dict[str, list[dict[str, Any]]]:
    site = poly(-50, -30, 50, 30)
    bld = uid("rs-building")
    levels = [feature(uid("rs-L1"), "level", site, category="unspecified", ordinal=0,
                      outdoor=False, name=name("Ground"), building_ids=[bld]),
              feature(uid("rs-L2"), "level", site, category="unspecified", ordinal=1,
                      outdoor=False, name=name("First"), building_ids=[bld])]
    lv = {"L1": uid("rs-L1"), "L2": uid("rs-L2")}
    units = [feature(uid(f"rs-{k}"), "unit", poly(*r), category=cat, name=name(nm),
                     level_id=lv[lvk], restriction=None, accessibility=None)
             for k, cat, nm, r, lvk in UNITS]
    openings = [feature(uid(f"rs-{k}"), "opening", line(x0, y0, x1, y1),
                        category="automobile", level_id=lv[lvk], door=None, name=None)
                for k, lvk, x0, y0, x1, y1 in OPENINGS]
    return {
        "venue": [feature(uid("rs-venue"), "venue", site, category="shoppingcenter",
                          name=name("Real Shapes Plaza"), restriction=None,
                          display_point=None, address_id=None)],
        "building": [feature(bld, "building", None, category="unspecified",
                             name=name("Main"), address_id=None)],
        "footprint": [feature(uid("rs-fp"), "footprint", poly(-30.5, -15.5, 30.5, 15.5),
                              category="ground", name=None, building_ids=[bld])],
        "level": levels, "unit": units, "opening": openings,
    }


def write_imdf(out: Path) -> None:
    write_archive(out, build_imdf(), "safemall tools/make_real_shapes_fixture.py")


# ----------------------------------------------------------------------------- OSM

#: (way id, rect, tags)
AREAS: list[tuple[int, tuple[float, float, float, float], dict[str, str]]] = [
    (100, (-20, -10, 20, 10), {"building": "retail", "shop": "mall",
                               "name": "SIT Test Mall", "addr:city": "Zhengzhou"}),
    (101, (-20, -2, 20, 2), {"indoor": "corridor", "level": "0", "name": "Main hall"}),
    (102, (-20, 2, 0, 10), {"indoor": "room", "level": "0", "shop": "clothes",
                            "name": "Alpha"}),
    (103, (0, 2, 20, 10), {"indoor": "room", "level": "0", "shop": "books"}),
    (104, (-20, -10, -10, -2), {"indoor": "room", "level": "0", "room": "toilets"}),
    (105, (0, -10, 10, -2), {"indoor": "room", "level": "0"}),
    (106, (10, -10, 16, -2), {"indoor": "room", "level": "0;1", "stairs": "yes"}),
    (107, (-10, -10, 0, -2), {"indoor": "room", "level": "0.5", "name": "Mezzanine"}),
    (111, (-20, -2, 20, 2), {"indoor": "corridor", "level": "1", "name": "Upper hall"}),
    (112, (-20, 2, 20, 10), {"indoor": "room", "level": "1", "shop": "supermarket",
                             "name": "Beta"}),
    (113, (-20, -10, -10, -2), {"indoor": "room", "level": "1-2", "amenity": "cinema",
                                "name": "Gamma"}),
]
#: (node id, x, y, tags)
POINTS: list[tuple[int, float, float, dict[str, str]]] = [
    (1, -10, 2, {"door": "yes", "level": "0"}),
    (2, 10, 2, {"door": "yes", "level": "0", "width": "1.5"}),
    (3, 5, -2, {"door": "yes", "level": "0"}),
    (4, 13, -2, {"door": "yes", "level": "0;1"}),
    (5, -10, 2, {"door": "yes", "level": "1"}),
    (6, -15, -2, {"door": "yes", "level": "1"}),
    (7, -20, 0, {"entrance": "main", "level": "0", "width": "2.4"}),
    (8, 20, 0, {"entrance": "yes"}),
    (9, 18, -6, {"highway": "elevator", "level": "0;1"}),
    (10, 5, -6, {"shop": "shoes", "level": "0", "name": "Delta Shoes"}),
]


def _ring(r: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    x0, y0, x1, y1 = r
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def write_osm(out: Path) -> None:
    import osmium
    from osmium.osm.mutable import Node, Way

    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        out.unlink()
    writer = osmium.SimpleWriter(str(out))
    nid = 1000
    ways = []
    for wid, r, tags in AREAS:
        refs = []
        for x, y in _ring(r):
            nid += 1
            lon, lat = ll(x, y)
            writer.add_node(Node(id=nid, version=1, location=(lon, lat), tags={}))
            refs.append(nid)
        ways.append(Way(id=wid, version=1, nodes=[*refs, refs[0]], tags=tags))
    for pid, x, y, tags in POINTS:
        lon, lat = ll(x, y)
        writer.add_node(Node(id=pid, version=1, location=(lon, lat), tags=tags))
    for w in ways:
        writer.add_way(w)
    writer.close()


def _ll7(x: float, y: float) -> list[float]:
    """lon/lat to OSM's precision (1e-7 degree), as exports carry it."""
    return [round(v, 7) for v in ll(x, y)]


def write_geojson(out: Path) -> None:
    feats: list[dict[str, Any]] = []
    for wid, r, tags in AREAS:
        ring = [_ll7(x, y) for x, y in _ring(r)]
        feats.append({"type": "Feature", "id": f"way/{wid}",
                      "properties": {**tags, "@id": f"way/{wid}"},
                      "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}})
    for pid, x, y, tags in POINTS:
        feats.append({"type": "Feature", "id": f"node/{pid}",
                      "properties": {**tags, "@id": f"node/{pid}"},
                      "geometry": {"type": "Point", "coordinates": _ll7(x, y)}})
    data = {"type": "FeatureCollection", "generator": "safemall "
            "tools/make_real_shapes_fixture.py (osmtogeojson layout)", "features": feats}
    out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=Path("tests/fixtures/import"))
    args = ap.parse_args(argv)
    write_imdf(args.dir / "real_shapes.imdf.zip")
    write_osm(args.dir / "sit_mall.osm")
    write_geojson(args.dir / "sit_mall.geojson")
    print(f"wrote {args.dir}/real_shapes.imdf.zip, sit_mall.osm, sit_mall.geojson")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
