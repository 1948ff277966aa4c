"""Write the synthetic IMDF archive used by the importer tests.

    python tools/make_imdf_fixture.py [--out tests/fixtures/import/small_venue.imdf.zip]

A two-level venue near 113.65 E, 34.76 N (Zhengzhou), 80 m x 40 m, drawn in local
metres and projected to WGS84 lon/lat with the same local transverse Mercator the
importer uses (centred on the venue), so imported coordinates equal the ones below
to the millimetre.

* ordinal 0 (L1): walkway (-40..40 x -4..4), shops N1-N4 (north), S1-S3 (south, one
  ``foodservice``), a restroom, a non-public room, stairs, an elevator, an escalator
  and a ``structure`` unit; openings into every room, two entrances on the venue
  outline (west and east) and an ``emergencyexit`` from S1.
* ordinal 1 (L2): the same rooms; the walkway has an atrium hole with an
  ``opentobelow`` unit in it.
* relationships: a stairs traversal (walkway L1 -> stairs L1, stairs L2 -> walkway L2),
  two directed escalator traversals (up and down), an elevator traversal.
* amenities (fire extinguisher, first aid), a fixture, an anchor and occupant that
  names shop N1, an address (Zhengzhou).

Stairs touch the walkway without an opening feature (joined by adjacency); the
escalator and the elevator have opening features. The zip is deterministic.
"""

from __future__ import annotations

import argparse
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

from pyproj import Transformer

LON0, LAT0 = 113.65, 34.76
NS = uuid.UUID("5afe0a11-1bdf-4000-8000-00000000beef")
_TO_LONLAT = Transformer.from_crs(
    f"+proj=tmerc +lat_0={LAT0:.9f} +lon_0={LON0:.9f} +k=1 +x_0=0 +y_0=0 +ellps=WGS84 "
    "+units=m +no_defs", "EPSG:4326", always_xy=True)


def uid(name: str) -> str:
    return str(uuid.uuid5(NS, name))


def ll(x: float, y: float) -> list[float]:
    lon, lat = _TO_LONLAT.transform(x, y)
    return [round(lon, 9), round(lat, 9)]


def poly(x0: float, y0: float, x1: float, y1: float,
         hole: tuple[float, float, float, float] | None = None) -> dict[str, Any]:
    ring = [ll(x0, y0), ll(x1, y0), ll(x1, y1), ll(x0, y1), ll(x0, y0)]
    rings = [ring]
    if hole:
        hx0, hy0, hx1, hy1 = hole
        rings.append([ll(hx0, hy0), ll(hx0, hy1), ll(hx1, hy1), ll(hx1, hy0), ll(hx0, hy0)])
    return {"type": "Polygon", "coordinates": rings}


def line(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [ll(x0, y0), ll(x1, y1)]}


def point(x: float, y: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": ll(x, y)}


def feature(fid: str, ftype: str, geom: dict[str, Any] | None, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "id": fid, "feature_type": ftype, "geometry": geom,
            "properties": props}


def name(text: str | None) -> dict[str, str] | None:
    return {"en": text} if text else None


# rooms: (key, category, name, rect, door (x0, y0, x1, y1) or None)
NORTH = [("N1", "room", None, (-40, 4, -24, 20)), ("N2", "room", "Jade Tea", (-24, 4, -8, 20)),
         ("N3", "foodservice", "Hui Noodles", (-8, 4, 8, 20)),
         ("N4", "room", "Yellow River Outfitters", (8, 4, 24, 20)),
         ("WC", "restroom", "Restrooms", (24, 4, 32, 20)),
         ("BOH", "nonpublic", "Back office", (32, 4, 40, 20))]
SOUTH = [("S1", "room", "Songshan Sports", (-40, -20, -20, -4)),
         ("S2", "room", None, (-20, -20, 0, -4)),
         ("S3", "room", "Central Plains Books", (10, -20, 30, -4))]


def build() -> dict[str, list[dict[str, Any]]]:
    f: dict[str, list[dict[str, Any]]] = {k: [] for k in (
        "address", "venue", "building", "level", "unit", "opening", "amenity", "fixture",
        "anchor", "occupant", "relationship")}
    f["address"].append(feature(uid("address"), "address", None, address="100 Erqi Road",
                                unit=None, locality="Zhengzhou", province="CN-HA",
                                country="CN", postal_code="450000", postal_code_ext=None))
    f["venue"].append(feature(uid("venue"), "venue", poly(-40, -20, 40, 20),
                              category="shoppingcenter", restriction=None,
                              name=name("Erqi Small Venue"), alt_name=None, hours=None,
                              phone=None, website=None, display_point=point(0, 0),
                              address_id=uid("address")))
    f["building"].append(feature(uid("building"), "building", None, name=name("Main"),
                                 alt_name=None, category="unspecified", restriction=None,
                                 display_point=None, address_id=None))
    units = f["unit"]
    openings = f["opening"]
    for ordinal in (0, 1):
        lv = uid(f"level{ordinal}")
        f["level"].append(feature(lv, "level", poly(-40, -20, 40, 20), category="unspecified",
                                  restriction=None, ordinal=ordinal, outdoor=False,
                                  name=name("Ground" if ordinal == 0 else "First"),
                                  short_name=name(f"{ordinal + 1}F"), display_point=None,
                                  address_id=None, building_ids=[uid("building")]))

        def unit(key: str, cat: str, nm: str | None, rect: tuple[float, float, float, float],
                 hole: tuple[float, float, float, float] | None = None,
                 lv: str = lv, ordinal: int = ordinal) -> str:
            u = uid(f"unit-{ordinal}-{key}")
            units.append(feature(u, "unit", poly(*rect, hole=hole), category=cat,
                                 restriction=None, accessibility=None, name=name(nm),
                                 alt_name=None, level_id=lv, display_point=None))
            return u

        def opening(key: str, geom: dict[str, Any], cat: str = "pedestrian",
                    nm: str | None = None, door: bool = True,
                    lv: str = lv, ordinal: int = ordinal) -> str:
            o = uid(f"opening-{ordinal}-{key}")
            openings.append(feature(o, "opening", geom, category=cat, accessibility=None,
                                    access_control=None,
                                    door={"type": "hinged", "automatic": False,
                                          "material": "glass"} if door else None,
                                    name=name(nm), alt_name=None, display_point=None,
                                    level_id=lv))
            return o

        hole = (-10, -2, 10, 2) if ordinal == 1 else None
        unit("walk", "walkway", None, (-40, -4, 40, 4), hole=hole)
        if hole:
            unit("void", "opentobelow", "Atrium void", hole)
        for key, cat, nm, rect in NORTH:
            unit(key, cat, nm, rect)
            cx = (rect[0] + rect[2]) / 2
            opening(key, line(cx - 0.9, 4, cx + 0.9, 4))
        for key, cat, nm, rect in SOUTH:
            unit(key, cat, nm, rect)
            cx = (rect[0] + rect[2]) / 2
            opening(key, line(cx - 0.9, -4, cx + 0.9, -4))
        unit("stairs", "stairs", "Stair A", (0, -12, 4, -4))
        unit("lift", "elevator", "Lift", (4, -10, 8, -4))
        opening("lift", line(5.45, -4, 6.55, -4))
        unit("esc", "escalator", None, (30, -12, 34, -4))
        opening("esc", line(30, -4, 34, -4), door=False)
        unit("core", "structure", None, (34, -20, 40, -4))
        if ordinal == 0:
            opening("west", line(-40, -2, -40, 2), cat="pedestrian.principal",
                    nm="West entrance")
            opening("east", line(40, -2, 40, 2), cat="pedestrian.principal",
                    nm="East entrance")
            opening("s1-exit", line(-32, -20, -30.5, -20), cat="emergencyexit")

    def ref(key: str, ordinal: int) -> dict[str, str]:
        return {"id": uid(f"unit-{ordinal}-{key}"), "feature_type": "unit"}

    def rel(key: str, direction: str, origin: Any, inter: list[Any], dest: Any) -> None:
        f["relationship"].append(feature(uid(f"rel-{key}"), "relationship", None,
                                         category="traversal", direction=direction,
                                         origin=origin, intermediary=inter,
                                         destination=dest, hours=None))

    rel("stairs", "undirected", ref("walk", 0), [ref("stairs", 0), ref("stairs", 1)],
        ref("walk", 1))
    rel("esc-up", "directed", ref("walk", 0), [ref("esc", 0), ref("esc", 1)], ref("walk", 1))
    rel("esc-down", "directed", ref("walk", 1), [ref("esc", 1), ref("esc", 0)], ref("walk", 0))
    rel("lift", "undirected", ref("walk", 0), [ref("lift", 0), ref("lift", 1)], ref("walk", 1))
    f["amenity"].append(feature(uid("amenity-ext"), "amenity", point(-30, 0),
                                category="fireextinguisher", accessibility=None, name=None,
                                alt_name=None, hours=None, phone=None, website=None,
                                unit_ids=[uid("unit-0-walk")], address_id=None,
                                correlation_id=None))
    f["amenity"].append(feature(uid("amenity-aid"), "amenity", point(28, 12),
                                category="firstaid", accessibility=None, name=None,
                                alt_name=None, hours=None, phone=None, website=None,
                                unit_ids=[uid("unit-0-WC")], address_id=None,
                                correlation_id=None))
    f["fixture"].append(feature(uid("fixture-kiosk"), "fixture", poly(-20, -1, -18, 1),
                                category="furniture", name=None, alt_name=None,
                                anchor_id=None, level_id=uid("level0"), display_point=None))
    f["anchor"].append(feature(uid("anchor-n1"), "anchor", point(-32, 12), address_id=None,
                               unit_id=uid("unit-0-N1")))
    f["occupant"].append(feature(uid("occupant-n1"), "occupant", None,
                                 name=name("Zhengzhou Dumplings"), category="restaurant",
                                 anchor_id=uid("anchor-n1"), hours=None, phone=None,
                                 website=None, validity=None, correlation_id=None))
    return f


def write(out: Path) -> None:
    write_archive(out, build(), "safemall tools/make_imdf_fixture.py")


def write_archive(out: Path, feats: dict[str, list[dict[str, Any]]], generator: str) -> None:
    """A deterministic IMDF zip: ``manifest.json`` and one FeatureCollection per type."""
    manifest = {"version": "1.0.0", "created": "2024-01-01T00:00:00Z", "language": "en",
                "generated_by": generator, "extensions": None}
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        def put(nm: str, data: Any) -> None:
            info = zipfile.ZipInfo(nm, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        put("manifest.json", manifest)
        for ft, fs in feats.items():
            put(f"{ft}.geojson", {"type": "FeatureCollection", "features": fs})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path,
                    default=Path("tests/fixtures/import/small_venue.imdf.zip"))
    args = ap.parse_args(argv)
    write(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
