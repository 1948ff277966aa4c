"""Words and numbers for people: counted nouns, metric labels with units, values.

Metric names, units and kinds come from the single metric catalogue
(``sim.engine.metrics.METRICS``). A key it does not declare (an old database's) falls
back to what the key says by convention (``_s``: seconds, ``_pm2``: persons/m², ``_m``:
metres, ``_mps``: m/s); that fallback holds no table of its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

from sim.engine.metrics import METRICS

#: Key suffix → unit, the naming convention of every metric key.
_SUFFIX_UNITS: Final = (("_pm2", "p/m²"), ("_mps", "m/s"), ("_s", "s"), ("_m", "m"),
                        ("_kw", "kW"))
#: Irregular plurals of the nouns we count.
_PLURALS: Final = {"person": "persons", "entry": "entries", "replication": "replications",
                   "family": "families", "battery": "batteries"}


def plural(n: float, noun: str, plural_form: str | None = None) -> str:
    """``"1 level"``, ``"2 levels"``, ``"0 patrols"`` (``n`` printed as given, with commas).

    >>> plural(1, "level"), plural(2, "patrol"), plural(1_250, "run"), plural(1, "person")
    ('1 level', '2 patrols', '1,250 runs', '1 person')
    """
    word = noun if n == 1 else (plural_form or _PLURALS.get(noun) or (
        noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou"
        else noun + "es" if noun.endswith(("s", "x", "ch", "sh")) else noun + "s"))
    num = f"{n:,}" if isinstance(n, int) else f"{n:,g}"
    return f"{num} {word}"


@dataclass(frozen=True)
class MetricInfo:
    """What a person needs to read a metric: its label, unit and kind of value."""

    key: str
    label: str
    unit: str
    shape: str
    """``number``, ``count``, ``flag``, ``text``, ``mapping`` or ``list``."""

    @property
    def bounded_below(self) -> bool:
        """Counts, flags, times and densities cannot be negative."""
        return self.shape in ("count", "flag") or self.unit in ("s", "p/m²", "m", "m/s",
                                                               "persons", "kW")


def _catalogue() -> Any:
    return METRICS


def metric_info(key: str) -> MetricInfo:
    """Label, unit and kind of ``key`` (``exit_counts.south-door``: per-exit entries)."""
    head, _, sub = key.partition(".")
    cat = _catalogue()
    if cat is not None and head in cat:
        m = cat[head]
        label = m.label + (f": {sub}" if sub else "")
        shape = m.shape if not sub else ("count" if m.unit == "persons" else "number")
        return MetricInfo(key, label, m.unit, shape)
    unit = next((u for s, u in _SUFFIX_UNITS if head.endswith(s)), "")
    stem = head[: -len(next(s for s, u in _SUFFIX_UNITS if u == unit))] if unit else head
    label = stem.removeprefix("t_").replace("_", " ") + (f": {sub}" if sub else "")
    return MetricInfo(key, label, unit, "number" if unit else "count")


def metric_label(key: str, *, unit: bool = True) -> str:
    """``"first responder (s)"``: the label with its unit in brackets."""
    mi = metric_info(key)
    return f"{mi.label} ({mi.unit})" if unit and mi.unit else mi.label


def fmt_number(v: float | None, digits: int = 3) -> str:
    """A number for a table: thousands separated, about ``digits`` significant figures,
    ``—`` for missing. Integers stay integers.

    >>> fmt_number(12345.678), fmt_number(35.04), fmt_number(3.996), fmt_number(0)
    ('12,346', '35.0', '4.00', '0')
    >>> fmt_number(None), fmt_number(float("nan"))
    ('—', '—')
    """
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int) or (float(v).is_integer() and abs(v) >= 10 ** (digits - 1)):
        return f"{round(v):,}"
    if v == 0:
        return "0"
    mag = math.floor(math.log10(abs(v)))
    dec = max(0, digits - 1 - mag)
    return f"{v:,.{dec}f}"


def fmt_value(key: str, v: Any) -> str:
    """A metric's value with its unit: ``"35.0 s"``, ``"0 persons"``, ``"4.00 p/m²"``."""
    if v is None:
        return "—"
    if isinstance(v, str):
        return v
    mi = metric_info(key)
    if isinstance(v, bool) or mi.shape == "flag":
        return "yes" if v else "no"
    if not isinstance(v, int | float):
        return str(v)
    num = fmt_number(v)
    if mi.unit == "persons" and num != "—":
        return plural(v if not float(v).is_integer() else int(v), "person")
    return f"{num} {mi.unit}".rstrip() if num != "—" else num
