"""Layout files: read and validate ``layout.toml``, write a layout back as TOML."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.errors import LayoutError
from sim.io.input_file import is_dir
from sim.io.toml import dumps_readable, read_toml
from sim.model.layout import Layout
from sim.model.layout_schema import layout_from_dict, layout_to_dict


def load_layout(path: str | Path) -> Layout:
    """Load and validate a layout file (or a mall folder holding ``layout.toml``).

    Raises
    ------
    LayoutError
        With a one-line message naming the file, the entry and the field.
    """
    p = Path(path)
    if is_dir(p):
        p = p / "layout.toml"
    raw = read_toml(p, LayoutError)
    return layout_from_dict(raw, source=str(p))


def dump_layout_toml(layout_or_dict: Layout | Mapping[str, Any]) -> str:
    """Serialise a layout (or its mapping) to readable TOML text (a point per line)."""
    data = layout_to_dict(layout_or_dict) if isinstance(layout_or_dict, Layout) \
        else layout_or_dict
    return dumps_readable(data)
