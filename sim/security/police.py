"""Police response time after the call: a log-normal fitted to published response times.

The time from the call reaching the police to officers arriving at the mall is drawn
from a log-normal distribution with median ``police.travel_time_s`` (180 s) and log-sd
``police.travel_log_sd`` (0.60), both in the assumptions register (a plan may set its
own median, ``alarm.police_travel_s``; a scenario may override either).

Sources (carried from the project's incident data, see ``docs/security-format.md``)
    * FBI Law Enforcement Bulletin, Blair, Martaindale & Nichols (2014), active-shooter
      events 2000–2012: police response time **median 3 min** over 51 cases with a known
      time, **range 1–12 min**; "an additional several minutes to locate and stop the
      shooter" (our police then walk from the entrance to the attacker).
    * China's 1-3-5-minute rapid-response circles (快反圈): large malls and commercial
      streets are in the **3- and 5-minute circles** (Tianjin, Wuhan public-security
      reports); Hunan provincial government 2019 describes the "1、3、5分钟" mechanism.
      The median of 3 min matches the 3-minute circle; the fit puts 80 % of responses
      within 5 minutes.
    * Observed (Turku 2017: 3 min after the alarm; London Bridge 2017: 8 min after the
      first call; LynnMall 2021: officers already tailing, about 1 min).

Fit
    With 51 cases, the smallest and largest of the sample sit near the 1/52 and 51/52
    quantiles (z = ±2.07). ``ln(12/3)/2.07 = 0.67`` and ``ln(3/1)/2.07 = 0.53``; their
    mean gives ``sigma = 0.60``: 1 min is the 3.4th and 12 min the 99.0th percentile.
    Status **fitted** (secondary reports of one study; the range is quoted second-hand).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from sim.model.assumptions import declare

_USERS = ("attack", "robbery", "hostage", "vehicle", "explosion")

POLICE_MEDIAN = declare(
    "police.travel_time_s", default=180.0, unit="s", low=60.0, high=300.0,
    dist="loguniform", valid_min=1.0, status="sourced", used_by=_USERS,
    source="FBI Law Enforcement Bulletin, Blair, Martaindale & Nichols 2014 (active-shooter "
           "events 2000-2012): median police response 3 min over 51 cases, range 1-12 min; "
           "China's 1-3-5 minute rapid-response circles put large malls in the 3- and "
           "5-minute circles (Tianjin, Wuhan public-security reports; Hunan government 2019)",
    name="Median police response time from the call to arrival at the mall (log-normal)")
POLICE_LOG_SD = declare(
    "police.travel_log_sd", default=0.60, unit="ln s", low=0.4, high=0.8, dist="uniform",
    valid_min=0.0, status="fitted", used_by=_USERS,
    source="fitted: the 1-12 min range of the 51 FBI LEB 2014 cases taken as their 1/52 "
           "and 51/52 quantiles (z = ±2.07): ln(12/3)/2.07 = 0.67, ln(3/1)/2.07 = 0.53, mean "
           "0.60 (sim/security/police.py)",
    name="Log-sd of the police response time")

#: Median police response time after the call (s): FBI LEB 2014 median 3 min; the
#: 3-minute circle of China's 1-3-5 rapid response for large malls (register default).
RESPONSE_MEDIAN_S = POLICE_MEDIAN.default
#: Log-sd of the response time, fitted to the 1–12 min range of 51 FBI cases (see above).
RESPONSE_SIGMA = POLICE_LOG_SD.default
#: Delay (s) from the duty room's decision to the call reaching the police over the
#: linked alarm platform (SM-1.4g, SM-5b): an automatic message (**assumption**).
CALL_LINKED_S = 10.0
#: Delay (s) of the same call by telephone to 110 (dialling, connection, stating the
#: address and the threat; **assumption**).
CALL_PHONE_S = 60.0


def response_time_s(rng: np.random.Generator, median_s: float = RESPONSE_MEDIAN_S,
                    sigma: float = RESPONSE_SIGMA) -> float:
    """One police response time (s) after the call."""
    if median_s <= 0:
        return 0.0
    return float(median_s * math.exp(sigma * float(rng.standard_normal())))


def response_quantile_s(p: float, median_s: float = RESPONSE_MEDIAN_S,
                        sigma: float = RESPONSE_SIGMA) -> float:
    """The ``p`` quantile (0–1) of the response time (s)."""
    return float(median_s * math.exp(sigma * float(stats.norm.ppf(p))))
