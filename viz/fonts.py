"""Fonts that render Chinese: in matplotlib figures and, embedded, in the HTML report.

Where the font comes from, in this order:

1. ``SAFEMALL_CJK_FONT=/path/to/font.otf|.ttf|.ttc`` (any font with CJK glyphs);
2. a CJK font matplotlib knows or that is installed on the system: Noto Sans CJK SC
   (Debian ``fonts-noto-cjk``, which the project's set-up ``.ci/run`` installs when it is
   absent), Source Han Sans SC, WenQuanYi Zen/Micro Hei, Droid Sans Fallback, AR PL
   UMing, SimHei, Microsoft YaHei, PingFang SC.

**Fallback when none is found** (documented in ``docs/report.md``): figures keep their
English labels (a Chinese label would draw as empty boxes), and the HTML names the usual
CJK families in its font list, so a reader's machine with any of them still shows the
Chinese text; the report says which case applies. With a font, figures use it as a
fallback after DejaVu Sans (Latin text unchanged), and the HTML embeds a subset of it
holding exactly the characters of the page (:func:`embedded_font_css`, a few hundred kB),
so the page and its PDF render Chinese on any machine.
"""

from __future__ import annotations

import base64
import io
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

ENV: Final = "SAFEMALL_CJK_FONT"
#: Font families with CJK glyphs, preferred first (Simplified Chinese faces first).
CJK_FAMILIES: Final = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC",
                       "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback",
                       "AR PL UMing CN", "SimHei", "Microsoft YaHei", "PingFang SC",
                       "Noto Sans CJK JP", "Noto Sans CJK TC")
#: The family name the embedded subset gets in the HTML.
EMBEDDED_FAMILY: Final = "SafeMall CJK"
#: Characters that show whether a font really draws Chinese (the report's own title).
PROBE: Final = "平安商场评估报告"


@dataclass(frozen=True)
class CjkFont:
    """A font face with CJK glyphs: family name, file and face index (for .ttc)."""

    family: str
    path: str
    index: int = 0


def _covers(path: str, index: int) -> bool:
    from fontTools.ttLib import TTFont

    try:
        f = TTFont(path, fontNumber=index, lazy=True)
        cmap = f.getBestCmap() or {}
    except Exception:  # any unreadable font simply does not qualify
        return False
    return all(ord(c) in cmap for c in PROBE)


@cache
def cjk_font() -> CjkFont | None:
    """The CJK font to use (see module notes), registered with matplotlib; or None."""
    from matplotlib import font_manager as fm

    env = os.environ.get(ENV)
    if env and Path(env).is_file():
        before = {(f.fname, f.name) for f in fm.fontManager.ttflist}
        fm.fontManager.addfont(env)
        new = [f for f in fm.fontManager.ttflist if (f.fname, f.name) not in before
               or f.fname == env]
        for f in new:
            idx = getattr(f, "index", 0) or 0
            if _covers(f.fname, idx):
                return CjkFont(f.name, f.fname, idx)
    known = {f.name: f for f in fm.fontManager.ttflist}
    if not any(n in known for n in CJK_FAMILIES):
        # fonts installed after matplotlib cached its list: look on the system
        for path in fm.findSystemFonts():
            low = Path(path).name.lower()
            if any(k in low for k in ("cjk", "wqy", "wenquanyi", "droidsansfallback",
                                      "uming", "simhei", "msyh", "pingfang", "sourcehan")):
                fm.fontManager.addfont(path)
        known = {f.name: f for f in fm.fontManager.ttflist}
    for fam in CJK_FAMILIES:
        f = known.get(fam)
        if f is not None:
            idx = getattr(f, "index", 0) or 0
            if _covers(f.fname, idx):
                return CjkFont(fam, f.fname, idx)
    return None


def use_cjk_in_figures() -> bool:
    """Let matplotlib draw Chinese (DejaVu Sans first, the CJK font as fallback).

    Returns False (figures keep English labels) when no CJK font is found.
    """
    import matplotlib

    f = cjk_font()
    if f is None:
        return False
    # a list of families: matplotlib draws each glyph from the first family that has it
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", f.family]
    return True


def embedded_font_css(text: str) -> str | None:
    """An ``@font-face`` rule embedding the CJK font's glyphs for ``text`` (None without a
    CJK font). The subset holds only the characters ``text`` uses."""
    f = cjk_font()
    if f is None:
        return None
    from fontTools import subset
    from fontTools.ttLib import TTFont

    chars = {c for c in text if ord(c) > 0x2E7F} | set(PROBE)
    font = TTFont(f.path, fontNumber=f.index, lazy=False)
    opts = subset.Options()
    opts.layout_features = ["*"]
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    opts.flavor = "woff"
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=sorted(ord(c) for c in chars))
    sub.subset(font)
    font.flavor = "woff"
    buf = io.BytesIO()
    font.save(buf)
    b64 = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'@font-face{{font-family:"{EMBEDDED_FAMILY}";src:url(data:font/woff;base64,'
            f'{b64}) format("woff");font-weight:100 900;font-style:normal}}')


def css_font_stack() -> str:
    """The CSS ``font-family`` list: Latin first, the embedded subset, then the usual CJK
    families (the fallback for a page without an embedded font)."""
    cjk = ", ".join(f'"{f}"' for f in CJK_FAMILIES)
    return f'"DejaVu Sans", Helvetica, Arial, "{EMBEDDED_FAMILY}", {cjk}, sans-serif'
