"""Write docs/metrics.md from the metric declarations in sim/engine/metrics.py."""

from __future__ import annotations

from pathlib import Path

from sim.engine.metrics import metrics_markdown

if __name__ == "__main__":
    out = Path(__file__).resolve().parents[1] / "docs" / "metrics.md"
    out.write_text(metrics_markdown(), encoding="utf-8")
    print(f"wrote {out}")
