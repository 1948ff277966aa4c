"""The verification suite: published test cases the engine must reproduce.

``safemall verify`` prints the table; the same cases run in ``tests/verification``.
Engine cases run :func:`sim.run.run_scenario` on small buildings built in memory and
compare the outcome with values written from the publications (RiMEA, IMO, SFPE,
Weidmann, laboratory data; sources and tolerances in ``docs/verification.md``); formula
cases check the laws the engine uses. :mod:`sim.analysis.verification.mutations` breaks the
engine on purpose and shows which cases notice.
"""

from sim.analysis.verification.registry import Case, CaseResult, Check, all_cases, case, run_cases

__all__ = ["Case", "CaseResult", "Check", "all_cases", "case", "run_cases"]
