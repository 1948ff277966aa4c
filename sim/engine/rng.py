"""Randomness from one seed: named, independent streams (numpy ``SeedSequence``).

Each stream has a fixed spawn key, so adding a stream or changing how much one part of
the model draws never shifts another part's numbers: changing the guard count does not
change where occupants stand or how fast they walk (common random numbers across
options, lower variance in comparisons). ``Streams.from_seed`` is a pure function of
the seed.
"""

from __future__ import annotations

from typing import Final

import numpy as np

SeedLike = int | np.random.SeedSequence

STREAM_NAMES: Final = ("placement", "speed", "premovement", "routing", "hazard", "staff",
                       "alarm", "crowd", "attack", "misc")


def as_seed_sequence(seed: SeedLike) -> np.random.SeedSequence:
    """A fresh SeedSequence for ``seed`` (copies a sequence so spawning stays pure)."""
    if isinstance(seed, np.random.SeedSequence):
        return np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key)
    return np.random.SeedSequence(int(seed))


class Streams:
    """Independent generators, one per name in :data:`STREAM_NAMES`."""

    def __init__(self, seed: SeedLike) -> None:
        ss = as_seed_sequence(seed)
        self.entropy = int(ss.entropy)  # type: ignore[arg-type]
        self.spawn_key = tuple(ss.spawn_key)
        self._gens = {
            name: np.random.default_rng(
                np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, 1000 + i)))
            for i, name in enumerate(STREAM_NAMES)
        }

    def __getitem__(self, name: str) -> np.random.Generator:
        return self._gens[name]
