"""Recorded knife attacks, vehicle rammings and crowd crushes: the data the harm models are
calibrated on (``docs/harm-calibration.md`` has the tables with their full sources).

Every record carries the figures as published (killed, injured, duration, speed), the
source keys of ``docs/harm-calibration.md`` and whether, and how, a calibration uses it
(``use``) with the reason (``why``). Two inputs no source gives are *assumed* per record and
marked as such: the crowd density of the setting (``density_pm2``, a range chosen from the
setting's description and Fruin's levels of service) and, for rammings, the length of the
path through the crowd where the record gives none.

Nothing here runs a simulation: :mod:`sim.analysis.harm_fit` fits the models to these
records and ``tools/calibrate_harm.py`` reconstructs each one in the simulator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["CRUSHES", "KNIFE", "POOLED_RAMMING", "RAMMINGS", "CrushRecord", "KnifeRecord",
           "RammingRecord"]

KnifeUse = Literal["rate", "fatality", "excluded"]


@dataclass(frozen=True)
class KnifeRecord:
    """One knife attack (``key``: the record's number in docs/harm-calibration.md §1).

    ``duration_s`` is first stab → attacker stopped (``None``: not in any source read);
    ``density_pm2`` the assumed crowd density of the setting (low, high).
    ``use``: ``rate`` (harm rate and fatality share), ``fatality`` (share only: no
    duration), ``excluded`` (neither; ``why`` says why).
    """

    key: str
    name: str
    setting: str
    attackers: int
    killed: int
    injured: int
    duration_s: tuple[float, float] | None
    density_pm2: tuple[float, float] | None
    stopped_by: str
    use: KnifeUse
    why: str
    sources: str

    @property
    def victims(self) -> int:
        """Killed + injured."""
        return self.killed + self.injured


KNIFE: tuple[KnifeRecord, ...] = (
    KnifeRecord(
        "A8", "Bondi Junction 2024", "Westfield mall, busy Saturday, school holidays", 1,
        6, 10, (180.0, 300.0), (0.2, 0.5), "1 police officer (one shot)", "rate",
        "rampage 'just over three minutes' [BO1], whole attack ~5 min in court [BO2]; "
        "density: a busy mall (observed mall densities 0.22-0.34 p/m2, up to 0.5 on a "
        "holiday Saturday; assumed)", "BO1 BO2 BO3 BO5"),
    KnifeRecord(
        "A9", "LynnMall 2021", "Countdown supermarket in a mall, Auckland lockdown", 1,
        0, 6, (50.0, 70.0), (0.1, 0.4), "2 police officers already tailing him", "rate",
        "'within 60 seconds of the attack starting' [BO1]; density: a supermarket under a "
        "level-4 lockdown, few shoppers, on the walkable floor between the shelves (about "
        "half the store; assumed)", "BO1 LM1 LM2"),
    KnifeRecord(
        "A14", "Turku 2017", "market square, Friday afternoon", 1,
        2, 8, (180.0, 300.0), (0.1, 0.3), "police shot him", "rate",
        "alarm 16:02 -> shot 16:05 (3 min) [TU1]; the first stabs came before the alarm "
        "(up to 2 min more, assumed); density: an open market square (assumed)", "TU1"),
    KnifeRecord(
        "A22", "Akihabara 2008 (knife phase)", "Sunday pedestrian street", 1,
        4, 8, (60.0, 150.0), (0.3, 1.0), "1 police officer", "rate",
        "truck 12:33 -> held down 12:35 (~2 min) including the truck [AK1][AK2]: the knife "
        "phase took 1-2.5 min; 7 killed (3 by the truck), 10 injured (2 by the truck, "
        "the ramming records); density: a car-free shopping street on a Sunday (assumed)",
        "AK1 AK2"),
    KnifeRecord(
        "A23", "Kawasaki Noborito 2019", "school-bus queue", 1,
        2, 17, (10.0, 20.0), (1.5, 3.0), "attacker stabbed himself", "rate",
        "'less than 20 seconds' [KW1]; 19 stabbed including the dead; density: children "
        "queueing for a bus, Fruin queueing levels D-E (1.5-3 p/m2; assumed)", "KW1"),
    KnifeRecord(
        "A1", "Kunming 2014", "railway station ticket hall", 8,
        31, 141, None, None, "police shot 4, captured 1", "fatality",
        "duration UNVERIFIED (not in any source read)", "K1 K2 K3"),
    KnifeRecord(
        "A2", "Guangzhou 2014", "railway station plaza", 1, 0, 6, None, None,
        "patrolling police", "fatality", "duration only 'minutes'", "GZ1 GZ2"),
    KnifeRecord(
        "A3", "Shenzhen Luohu 2013", "street, morning", 1, 3, 5, None, None,
        "police with steel forks and school guards", "fatality", "duration UNVERIFIED",
        "SZ1"),
    KnifeRecord(
        "A4", "Shenzhen Walmart 2017", "supermarket in a mall", 1, 2, 9, None, None,
        "police", "fatality", "duration UNVERIFIED", "SZ2"),
    KnifeRecord(
        "A5", "Beijing Xidan Joy City 2018", "mall", 1, 1, 12, None, None,
        "arrested on the spot", "fatality", "duration UNVERIFIED", "BJ1"),
    KnifeRecord(
        "A7", "Yixing 2024", "vocational school campus", 1, 8, 17, None, None,
        "tackled by students", "fatality", "duration UNVERIFIED", "YX1 YX2"),
    KnifeRecord(
        "A11", "Dunedin 2021", "supermarket", 1, 0, 4, None, None,
        "shoppers and staff", "fatality", "duration only 'extremely quickly'", "DN1"),
    KnifeRecord(
        "A13", "Reading 2020", "park", 1, 3, 3, None, None,
        "unarmed police officers", "fatality", "duration only 'minutes'", "RD1 RD2"),
    KnifeRecord(
        "A15", "Wurzburg 2021", "department store and square", 1, 3, 5, None, None,
        "passers-by, then police", "fatality",
        "duration UNVERIFIED; injured 5-6 serious (5 used)", "WZ1 WZ2"),
    KnifeRecord(
        "A16", "Mannheim 2024", "small rally on a market square", 1, 1, 5,
        (20.0, 30.0), None, "bystanders, then a police officer shot him", "fatality",
        "~25 s, but the victims were the targeted speaker and the people grappling the "
        "attacker: a fight at one spot, not a rampage through a crowd; not used for the "
        "rate", "MA1 MA2"),
    KnifeRecord(
        "A17", "Solingen 2024", "city festival, crowd at a stage", 1, 3, 8, None, None,
        "not stopped at the scene", "fatality", "duration unknown (attacker fled)", "SO1"),
    KnifeRecord(
        "A18", "Annecy 2023", "lakeside playground", 1, 0, 6, None, None,
        "police", "fatality", "duration UNVERIFIED", "AN1 AN2"),
    KnifeRecord(
        "A20", "Villach 2025", "street near the main square", 1, 1, 4, None, None,
        "a delivery driver with his car", "fatality", "duration UNVERIFIED", "VI1 VI2"),
    KnifeRecord(
        "A21", "Hamburg Hbf 2025", "station platform, rush hour", 1, 0, 18, None, None,
        "bystanders and police", "fatality", "duration UNVERIFIED", "HH1 HH2"),
    KnifeRecord(
        "A12", "London Bridge 2017", "van, then knives in bars", 3, 8, 48, None, None,
        "8 armed officers", "excluded",
        "van and knife casualties are not separated; 'hospitalised' counts only", "LB1 LB2"),
    KnifeRecord(
        "A19", "Nice basilica 2020", "church", 1, 3, 0, None, None,
        "municipal police", "excluded", "injured given only as 'several'", "NB1 NB2"),
)


@dataclass(frozen=True)
class RammingRecord:
    """One vehicle ramming (docs/harm-calibration.md §2).

    ``speed_kmh`` is the reported speed range (``None``: not reported);
    ``path_m`` the distance driven through people; ``density_pm2`` the assumed crowd
    density along it. ``use``: ``fit`` (strike rate and fatality by speed),
    ``fatality`` (killed share only), ``excluded``.
    """

    key: str
    name: str
    vehicle: Literal["car", "van", "truck"]
    mass_kg: float
    speed_kmh: tuple[float, float] | None
    path_m: tuple[float, float] | None
    density_pm2: tuple[float, float] | None
    killed: int
    injured: int
    use: Literal["fit", "fatality", "excluded"]
    why: str
    sources: str

    @property
    def casualties(self) -> int:
        """Killed + injured."""
        return self.killed + self.injured

    @property
    def killed_share(self) -> float:
        """killed / (killed + injured)."""
        return self.killed / self.casualties if self.casualties else 0.0


RAMMINGS: tuple[RammingRecord, ...] = (
    RammingRecord(
        "B1", "Nice 2016", "truck", 19000.0, (80.0, 90.0), (1700.0, 2000.0), (0.3, 1.0),
        86, 434, "fit", "19-t truck at ~90 km/h (sec.) over 1.7-2 km of a promenade with "
        "~30,000 people at the fireworks (density along the path assumed)",
        "NI1 NI2 NI3 NI4 NI5 BE2"),
    RammingRecord(
        "B4", "Toronto 2018", "van", 3500.0, (50.0, 70.0), (1600.0, 2200.0), (0.03, 0.1),
        10, 16, "fit", "rental van, 50-70 km/h by witnesses, ~1.6 km of lunchtime "
        "sidewalk (density assumed)", "TO1 TO2 TO3"),
    RammingRecord(
        "B8", "Liverpool 2025", "car", 2000.0, (40.0, 56.0), (200.0, 250.0), (1.0, 3.0),
        0, 65, "fit", "people-carrier at ~30 mph (sec.) over ~250 yd into a parade crowd "
        "(density assumed)", "LV1 LV2 LV3"),
    RammingRecord(
        "B3", "Barcelona 2017", "van", 3500.0, None, (500.0, 600.0), (0.3, 1.0),
        13, 130, "fatality", "speed only 'full pelt'", "BA1 BA2"),
    RammingRecord(
        "B2", "Berlin 2016", "truck", 40000.0, None, (70.0, 80.0), None,
        12, 48, "fatality", "speed UNVERIFIED; stopped by automatic braking", "BE1 BE2"),
    RammingRecord(
        "B5", "Waukesha 2021", "car", 1800.0, None, None, None, 6, 40, "fatality",
        "speed and distance UNVERIFIED; injured 'more than 40' (initial)", "WA1 WA2"),
    RammingRecord(
        "B6", "Zhuhai 2024", "car", 1800.0, None, None, None, 35, 43, "fatality",
        "speed and distance UNVERIFIED", "ZH1 ZH2"),
    RammingRecord(
        "B7", "New Orleans 2025", "truck", 3000.0, None, None, None, 15, 30, "fatality",
        "'high speed'; early tolls", "NO1 NO2"),
    RammingRecord(
        "B9", "Akihabara 2008 (truck phase)", "truck", 2000.0, None, None, None, 3, 2,
        "fatality", "speed UNVERIFIED", "AK2"),
)

#: Valiño et al. (2024) [VA1]: 46 vehicle-as-weapon mass-casualty incidents 2000-2021,
#: 1,430 injured + 206 killed (12.6 % killed), speeds 4-130 km/h, paths 10-2,260 m.
POOLED_RAMMING = {"incidents": 46, "injured": 1430, "killed": 206,
                  "speed_kmh": (4.0, 130.0), "path_m": (10.0, 2260.0), "source": "VA1"}


@dataclass(frozen=True)
class CrushRecord:
    """One crowd crush (docs/harm-calibration.md §3): peak density and how long it lasted."""

    key: str
    name: str
    density_pm2: tuple[float, float] | None
    duration_min: tuple[float, float] | None
    killed: int
    injured: int | None
    sources: str


CRUSHES: tuple[CrushRecord, ...] = (
    CrushRecord("F1", "Itaewon 2022", (9.0, 10.7), (10.0, 40.0), 159, None, "F1 F2 F3"),
    CrushRecord("F2", "Love Parade 2010", (8.0, 10.0), None, 21, 510, "F4 F5"),
    CrushRecord("F3", "Shanghai Bund 2014", None, (16.0, 20.0), 36, 49, "F6 F7 F8"),
    CrushRecord("F4", "Hillsborough 1989", None, (5.0, 15.0), 96, 766, "F9 F10 F11"),
    CrushRecord("F5", "Hajj Jamarat 2006", (7.0, 10.0), (26.0, 30.0), 345, 289,
                "F12 F13 F14"),
)
