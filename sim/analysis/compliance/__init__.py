"""Compliance of a mall with the 2017 Zhengzhou "Safe Mall" plan and GB 50016.

* :mod:`sim.analysis.compliance.static` — clause-by-clause checks of the layout and security plan;
* :mod:`sim.analysis.compliance.drills` — the drill and training log (SM-1.2b/c, document reviews);
* :mod:`sim.analysis.compliance.egress` — GB 50016 egress results;
* :mod:`sim.analysis.compliance.dynamic` — performance targets judged over scenario replications;
* :mod:`sim.analysis.compliance.report` — the JSON and the self-contained HTML report.

Documented in ``docs/compliance.md``; clause IDs in ``docs/standards.md``.
"""

from sim.analysis.compliance.model import STATUSES, ClauseResult, Evidence, summarise, verdict
from sim.analysis.compliance.static import CheckOptions, check_static, sm13b_required

__all__ = ["STATUSES", "CheckOptions", "ClauseResult", "Evidence", "check_static",
           "sm13b_required", "summarise", "verdict"]
