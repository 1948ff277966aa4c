"""Write the synthetic DXF fixtures used by the importer tests.

    python tools/make_dxf_fixture.py [--out tests/fixtures/import]

Writes, in millimetres (``$INSUNITS = 4``):

* ``small_mall.dxf``: two levels by layer prefix (``1F-``, ``2F-``), a corridor per
  level, 12 shops, a CCTV room and a duty room, two stairs (S1 labelled
  ``STAIR S1 L1-L2`` on its ground-floor copy, S2 labelled on its first-floor copy;
  the unlabelled copies merge by plan), 200 mm walls between the corridor and the
  shops, doors as ``DOOR1`` block INSERTs (ground floor, X scale = width in mm) and as
  LINEs (first floor), four exits (three on the outline, one on the exit-door layer).
* ``defects.dxf``: one level with deliberate defects: an open polyline, two overlapping
  shops, a door touching one shop only (which then has no opening), a door touching
  nothing, an unlabelled polygon on an unmapped layer, a stair without level
  information and a label outside every space.
* ``layers.toml``: the layer map for both.

The output is deterministic (fixed GUIDs and dates), so re-running it changes nothing.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import ezdxf
from ezdxf.enums import TextEntityAlignment

LAYERS_TOML = '''\
# Layer map for tests/fixtures/import/small_mall.dxf and defects.dxf (see docs/import-export.md)
schema = "safemall/dxf-map/1"
name = "Small mall (synthetic DXF fixture)"
tolerance_m = 0.5          # a door joins the spaces its midpoint lies within 0.5 m of
label_tolerance_m = 1.0    # door / exit labels within 1 m of a door's midpoint name it
stair_levels = "none"      # stairs without a level label stay on one level (reported)

[[levels]]
id = "L1"
elevation_m = 0.0
prefix = "1F-"
name = "Ground floor"

[[levels]]
id = "L2"
elevation_m = 5.0
prefix = "2F-"
name = "First floor"

[layers]                   # layer name without the level prefix -> role
SHOP = "shop"
CORR = "corridor"
STAIR = "stair"
ROOM = "space"             # kind from the label inside (CCTV, DUTY, ...)
DOOR = "door"
EXIT = "exit_door"
TEXT = "label"
OUTLINE = "outline"
"WALL*" = "ignore"
FURN = "ignore"
'''

W, H = 64000.0, 30000.0          # building, mm
CY0, CY1 = 12000.0, 18000.0      # corridor band
WALL = 200.0


def _save(doc: ezdxf.document.Drawing, path: Path) -> None:
    doc.units = ezdxf.units.MM
    doc.header["$FINGERPRINTGUID"] = "{5AFE0A11-0000-4000-8000-000000000001}"
    # ezdxf lists the CLASS records from a set of entity types: sort it for stable output
    in_use = doc.entitydb.dxf_types_in_use
    doc.entitydb.dxf_types_in_use = (  # type: ignore[method-assign]
        lambda: sorted(in_use()))  # type: ignore[assignment, return-value]
    doc.saveas(path)


def _door_block(doc: ezdxf.document.Drawing) -> None:
    """A unit-width door: leaf and swing; the opening runs from (0, 0) to (1, 0)."""
    blk = doc.blocks.new("DOOR1")
    blk.add_line((0, 0), (0, 1))
    blk.add_arc((0, 0), 1.0, 0, 90)


def _rect(msp: object, layer: str, x0: float, y0: float, x1: float, y1: float,
          closed: bool = True) -> None:
    pts = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    msp.add_lwpolyline(pts, close=closed, dxfattribs={"layer": layer})  # type: ignore[attr-defined]


def _text(msp: object, layer: str, text: str, x: float, y: float) -> None:
    t = msp.add_text(text, height=400, dxfattribs={"layer": layer})  # type: ignore[attr-defined]
    t.set_placement((x, y), align=TextEntityAlignment.MIDDLE_CENTER)


def _door_insert(msp: object, layer: str, x: float, y: float, width: float,
                 rot: float = 0.0) -> None:
    msp.add_blockref("DOOR1", (x, y), dxfattribs={  # type: ignore[attr-defined]
        "layer": layer, "xscale": width, "yscale": width, "rotation": rot})


def small_mall(path: Path) -> None:
    doc = ezdxf.new("R2018")
    _door_block(doc)
    msp = doc.modelspace()
    for lv in ("1F", "2F"):
        _rect(msp, f"{lv}-OUTLINE", 0, 0, W, H)
        _rect(msp, f"{lv}-CORR", 0, CY0, W, CY1)
        _text(msp, f"{lv}-TEXT", f"CORRIDOR C{lv[0]}", 30000, 15000)
        # north row: three shops, then stair S1 (8 x 4 m) and a back room above it
        xs = [0.0, 18000.0, 36000.0, 56000.0]
        for i in range(3):
            _rect(msp, f"{lv}-SHOP", xs[i], CY1 + WALL, xs[i + 1], H)
        _rect(msp, f"{lv}-STAIR", 56000, CY1 + WALL, W, 22200)
        # south row: three shops, then stair S2 (4 x 11.8 m)
        xs2 = [0.0, 20000.0, 40000.0, 60000.0]
        for i in range(3):
            _rect(msp, f"{lv}-SHOP" if not (lv == "2F" and i == 2) else "2F-ROOM",
                  xs2[i], 0, xs2[i + 1], CY0 - WALL)
        _rect(msp, f"{lv}-STAIR", 60000, 0, W, CY0 - WALL)
        # walls (ignored layer) and furniture (ignored layer)
        msp.add_lwpolyline([(0, CY1 + WALL / 2), (W, CY1 + WALL / 2)],
                           dxfattribs={"layer": f"{lv}-WALL"})
        _rect(msp, f"{lv}-FURN", 2000, 20000, 4000, 22000)
    # ground floor: back room above S1 is the CCTV room
    _rect(msp, "1F-ROOM", 56000, 22200, W, H)
    _text(msp, "1F-TEXT", "CCTV cctv", 60000, 26000)
    _rect(msp, "2F-SHOP", 56000, 22200, W, H)
    # labels: ids for most shops; two stay unlabelled (ids from their handles)
    for lv, names in (("1F", ["A101", "A102", "A103", "B101", "B102", None]),
                      ("2F", ["A201", "A202", None, "B201", "B202", None])):
        spots = [(9000, 24000), (27000, 24000), (46000, 24000),
                 (10000, 6000), (30000, 6000), (50000, 6000)]
        for name, (x, y) in zip(names, spots, strict=True):
            if name:
                _text(msp, f"{lv}-TEXT", f"SHOP {name}", x, y)
    msp.add_mtext("DUTY duty", dxfattribs={"layer": "2F-TEXT", "char_height": 400,
                                           "insert": (50000, 6000)})
    _text(msp, "2F-TEXT", "SHOP A204", 60000, 26000)
    _text(msp, "1F-TEXT", "STAIR S1 L1-L2 riser=165 tread=280", 60000, 20200)
    _text(msp, "2F-TEXT", "STAIR S2 L1-L2", 62000, 6000)
    # ground floor doors: blocks, 1.5 m into the shops, 1.6 m into the stairs
    north_y, south_y = CY1 + WALL / 2, CY0 - WALL / 2
    for cx in (9000, 27000, 46000):
        _door_insert(msp, "1F-DOOR", cx - 750, north_y, 1500)
    for cx in (10000, 30000, 50000):
        _door_insert(msp, "1F-DOOR", cx - 750, south_y, 1500)
    _door_insert(msp, "1F-DOOR", 59200, north_y, 1600)                  # S1 foot
    msp.add_line((61200, south_y), (62800, south_y), dxfattribs={"layer": "1F-DOOR"})  # S2
    _door_insert(msp, "1F-DOOR", 60000, 22200, 1000)                    # S1 <-> CCTV
    # ground floor exits
    msp.add_line((0, 13000), (0, 17000), dxfattribs={"layer": "1F-DOOR"})         # west
    _text(msp, "1F-TEXT", "EXIT west-gate", 300, 15000)
    _door_insert(msp, "1F-DOOR", W, 13500, 3000, rot=90)                          # east
    _door_insert(msp, "1F-EXIT", 9100, 0, 1800)                                   # shop exit
    msp.add_line((W, 26000), (W, 27000), dxfattribs={"layer": "1F-DOOR"})        # CCTV exit
    # first floor doors: lines
    for cx in (9000, 27000, 46000):
        msp.add_line((cx - 750, north_y), (cx + 750, north_y), dxfattribs={"layer": "2F-DOOR"})
    for cx in (10000, 30000, 50000):
        msp.add_line((cx - 750, south_y), (cx + 750, south_y), dxfattribs={"layer": "2F-DOOR"})
    msp.add_line((59200, north_y), (60800, north_y), dxfattribs={"layer": "2F-DOOR"})  # S1 head
    msp.add_line((61200, south_y), (62800, south_y), dxfattribs={"layer": "2F-DOOR"})  # S2 head
    msp.add_line((59500, 22200), (60500, 22200), dxfattribs={"layer": "2F-DOOR"})     # S1 <-> A204
    _save(doc, path)


def defects(path: Path) -> None:
    doc = ezdxf.new("R2018")
    msp = doc.modelspace()
    _rect(msp, "1F-OUTLINE", 0, 0, 30000, 20000)
    _rect(msp, "1F-CORR", 0, 5000, 30000, 9000)
    msp.add_line((0, 6000), (0, 8000), dxfattribs={"layer": "1F-DOOR"})      # the only exit
    # two overlapping shops (1 m x 6 m), each with a door to the corridor
    _rect(msp, "1F-SHOP", 0, 9000, 10000, 15000)
    _rect(msp, "1F-SHOP", 9000, 9000, 20000, 15000)
    _text(msp, "1F-TEXT", "SHOP D1", 4000, 12000)
    _text(msp, "1F-TEXT", "SHOP D2", 15000, 12000)
    msp.add_line((4000, 9000), (5500, 9000), dxfattribs={"layer": "1F-DOOR"})
    msp.add_line((14000, 9000), (15500, 9000), dxfattribs={"layer": "1F-DOOR"})
    # a shop whose only door is in its back wall (inside the outline): touches one space
    _rect(msp, "1F-SHOP", 20000, 9000, 30000, 15000)
    _text(msp, "1F-TEXT", "SHOP D3", 25000, 12000)
    msp.add_line((24000, 15000), (25500, 15000), dxfattribs={"layer": "1F-DOOR"})
    # an open polyline on the shop layer (three sides of a room)
    msp.add_lwpolyline([(0, 5000), (0, 0), (10000, 0), (10000, 5000)],
                       dxfattribs={"layer": "1F-SHOP"})
    # an unlabelled closed polygon on a layer the map does not know
    _rect(msp, "MISC", 12000, 1000, 18000, 4000)
    # a stair with no level information, door to the corridor
    _rect(msp, "1F-STAIR", 20000, 0, 24000, 5000)
    msp.add_line((21000, 5000), (22500, 5000), dxfattribs={"layer": "1F-DOOR"})
    # a door touching nothing, and a label outside every space
    msp.add_line((27000, 2000), (28000, 2000), dxfattribs={"layer": "1F-DOOR"})
    _text(msp, "1F-TEXT", "SHOP ghost", 15000, 18000)
    _save(doc, path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("tests/fixtures/import"))
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    ezdxf.options.write_fixed_meta_data_for_testing = True  # fixed dates and GUIDs
    try:
        small_mall(args.out / "small_mall.dxf")
        defects(args.out / "defects.dxf")
    finally:
        ezdxf.options.write_fixed_meta_data_for_testing = False
    (args.out / "layers.toml").write_text(LAYERS_TOML, encoding="utf-8")
    print(f"wrote {args.out}/small_mall.dxf, defects.dxf, layers.toml")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
