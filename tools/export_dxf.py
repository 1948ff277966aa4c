"""Write a SafeMall layout to DXF (and the layer map that reads it back).

    python tools/export_dxf.py LAYOUT --out plan.dxf --map layers.toml [--units m|mm]

Spaces become closed polylines on ``<LEVEL>-<KIND>`` layers with a text label
(``SHOP shop-12``, ``STAIR stair-A L1-L2 length_m=12``), openings become LINEs of their
width along the wall (``<LEVEL>-DOOR``, ``<LEVEL>-EXIT`` into an exit) labelled with
their ids, and each level's outline goes on ``<LEVEL>-OUTLINE``. Importing the result
with ``safemall layout import-dxf plan.dxf --map layers.toml`` gives the layout back
(see ``tests/unit/test_export_roundtrip.py`` and ``docs/import-export.md``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.errors import SafeMallError
from sim.io.exporters import write_dxf
from sim.io.layout_files import load_layout


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("layout", type=Path, help="layout.toml or a mall folder")
    ap.add_argument("--out", type=Path, required=True, help="DXF file to write")
    ap.add_argument("--map", type=Path, default=None,
                    help="also write the layer map (TOML) that reads the DXF back")
    ap.add_argument("--units", choices=("m", "mm"), default="m",
                    help="drawing units ($INSUNITS); default m")
    args = ap.parse_args(argv)
    try:
        layout = load_layout(args.layout)
    except SafeMallError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_dxf(layout, args.out, units=args.units, map_out=args.map)
    print(f"wrote {args.out}" + (f" and {args.map}" if args.map else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
