"""Screenshots of a report's first two pages (for docs/img): page 1 as it opens; page 2
is what the PDF puts on its second page (the report breaks the page before "What to
change"), shown by hiding the first page's content.

    python tools/report_pages.py reports/grand/report-zh.html docs/img/report_zh
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from viz.chromium import screenshot

HIDE_PAGE_1 = ("<style>#title,.sub,.meta,#answer{display:none!important}"
               "section#changes{page-break-before:avoid}</style></head>")


def main(html: str, stem: str) -> None:
    page = Path(html)
    one = screenshot(page, Path(f"{stem}_page1.png"))
    with tempfile.TemporaryDirectory() as tmp:
        second = Path(tmp) / page.name
        second.write_text(page.read_text(encoding="utf-8").replace("</head>", HIDE_PAGE_1, 1),
                          encoding="utf-8")
        two = screenshot(second, Path(f"{stem}_page2.png"))
    print(f"wrote {one} and {two}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
