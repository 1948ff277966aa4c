"""The clauses of the 2017 Zhengzhou "Safe Mall" plan and of GB 50016 that we check.

IDs and wording follow ``docs/standards.md`` (a copy of ``STANDARDS.md`` with our
readings). ``kind`` says how a clause is checked: ``static`` from the layout and the
security plan, ``drills`` from the drill and training log, ``document`` only by a
document review (reported ``not_specified`` unless the log's ``[[documents]]`` table
records a review), ``egress`` from the layout against GB 50016.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Clause:
    """One checkable clause."""

    id: str
    title: str
    kind: str


CLAUSES: Final[tuple[Clause, ...]] = (
    Clause("SM-1.1", "Leadership responsible; every employee 'one post, two duties'", "document"),
    Clause("SM-1.2a", "Written security rules and emergency plans, posted", "document"),
    Clause("SM-1.2b", "Monthly security training (mall staff and joint-defence shops)", "drills"),
    Clause("SM-1.2c", "Quarterly drills: fire, robbery, hostage, attack, sabotage, explosion",
           "drills"),
    Clause("SM-1.3a", "Dedicated security department with full-time staff", "static"),
    Clause("SM-1.3b", "Full-time guards by sales floor area", "static"),
    Clause("SM-1.3c", "Patrol team; uniforms, red armbands, batons, tear gas", "static"),
    Clause("SM-1.3d", "Internal defence team of 5-10 with leader, deputy, liaison", "static"),
    Clause("SM-1.3e", "An officer in every shop; groups of 5-10 adjacent shops", "static"),
    Clause("SM-1.4a", "Alarm devices at the gate, CCTV room and 24-h duty room", "static"),
    Clause("SM-1.4b", "Attack response: move crowd, first defence, call police", "document"),
    Clause("SM-1.4c", "CCTV: perimeter, gates, passages, entrances, car parks, finance room",
           "static"),
    Clause("SM-1.4d", "Emergency lighting, PA and fire systems in every public space", "static"),
    Clause("SM-1.4e", "Enough anti-riot forks, batons and shields", "static"),
    Clause("SM-1.4f", "Physical isolation at the main entrances", "static"),
    Clause("SM-1.4g", "Monitoring centre linked to the police alarm platform", "static"),
    Clause("SM-1.5", "Speed bumps and signs; barriers at every door reachable by road",
           "static"),
    Clause("SM-2", "Risk register, rectified with deadlines, updated monthly", "document"),
    Clause("SM-3", "Police grid patrols around the mall", "document"),
    Clause("SM-4", "Traffic safety around the mall", "document"),
    Clause("SM-5a", "Threat information gathered and reported early", "document"),
    Clause("SM-5b", "Alarm devices linked to the police platform; online patrol system",
           "static"),
    Clause("SM-5c", "Guards and staff serve as police informants", "document"),
    Clause("GB50016-5.5.21a", "Exterior door width at grade per 100 persons", "egress"),
    Clause("GB50016-5.5.21b", "Stair width per floor per 100 persons", "egress"),
    Clause("GB50016-5.5.17", "Travel distance in sales halls", "egress"),
    Clause("GB50016-5.5.18", "Minimum widths of doors, corridors and stairs", "egress"),
    Clause("GB50016-5.5.8", "At least two safety exits per floor", "egress"),
)

BY_ID: Final = {c.id: c for c in CLAUSES}
#: Clauses that only a document review can judge.
DOCUMENT_CLAUSES: Final = tuple(c.id for c in CLAUSES if c.kind == "document")


def title(clause_id: str) -> str:
    """The short title of a clause."""
    return BY_ID[clause_id].title
