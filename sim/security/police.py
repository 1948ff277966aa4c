"""Police response time after the call: a log-normal fitted to published response times.

The time from the call reaching the police to officers arriving at the mall is drawn
from a log-normal distribution with median :data:`RESPONSE_MEDIAN_S` and log-sd
:data:`RESPONSE_SIGMA` (a plan may set its own median, ``alarm.police_travel_s``).

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

#: Median police response time after the call (s): FBI LEB 2014 median 3 min; the
#: 3-minute circle of China's 1-3-5 rapid response for large malls.
RESPONSE_MEDIAN_S = 180.0
#: Log-sd of the response time, fitted to the 1–12 min range of 51 FBI cases (see above).
RESPONSE_SIGMA = 0.60
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
