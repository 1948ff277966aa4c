"""Randomness from one seed: named, independent streams (numpy ``SeedSequence``).

Each stream has a fixed spawn key, so adding a stream or changing how much one part of
the model draws never shifts another part's numbers: changing the guard count does not
change where occupants stand or how fast they walk (common random numbers across
options, lower variance in comparisons). ``Streams.from_seed`` is a pure function of
the seed.

Keyed streams (common random numbers per device and per person)
    :meth:`Streams.child` gives one generator per *thing* that draws: a detection
    channel of an incident, a camera operator, a staff member, an incident, an
    attacker. Its seed is ``SeedSequence(entropy, spawn_key=(*run_key, 2000 +
    family, k1, k2, ...))`` where ``family`` is the position of the family name in
    :data:`FAMILIES` and ``k1, k2, ...`` are :func:`stable_key` of the key strings
    (stable ids such as ``"guard:beat-L1-03#0"`` or ``"attack#0"``, never positions in
    a list). A child is a pure function of the run's seed and its key: removing a
    camera, a guard or the PA changes only the draws of what depends on it, and the
    k-th draw of guard ``g`` is the same in every configuration where ``g`` exists.
"""

from __future__ import annotations

import hashlib
from typing import Final

import numpy as np

SeedLike = int | np.random.SeedSequence

STREAM_NAMES: Final = ("placement", "speed", "premovement", "routing", "hazard", "staff",
                       "alarm", "crowd", "attack", "misc")

#: Families of keyed streams (:meth:`Streams.child`); append only (a family's position
#: is part of its seeds).
FAMILIES: Final = ("staff", "detect", "operator", "incident", "attacker", "police",
                   "report", "person")


def as_seed_sequence(seed: SeedLike) -> np.random.SeedSequence:
    """A fresh SeedSequence for ``seed`` (copies a sequence so spawning stays pure)."""
    if isinstance(seed, np.random.SeedSequence):
        return np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key)
    return np.random.SeedSequence(int(seed))


def stable_key(text: str) -> int:
    """A 32-bit spawn-key word for a key string (first 4 bytes of its SHA-256)."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "big")


class Streams:
    """Independent generators, one per name in :data:`STREAM_NAMES`, and keyed children."""

    def __init__(self, seed: SeedLike) -> None:
        ss = as_seed_sequence(seed)
        self.entropy = int(ss.entropy)  # type: ignore[arg-type]
        self.spawn_key = tuple(ss.spawn_key)
        self._gens = {
            name: np.random.default_rng(
                np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, 1000 + i)))
            for i, name in enumerate(STREAM_NAMES)
        }
        self._children: dict[tuple[str, ...], np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        return self._gens[name]

    def child(self, family: str, *key: str) -> np.random.Generator:
        """The generator of one keyed thing (see module notes); the same object on every
        call with the same family and key within a run.

        Raises
        ------
        KeyError
            ``family`` is not one of :data:`FAMILIES`.
        """
        k = (family, *key)
        gen = self._children.get(k)
        if gen is None:
            fam = FAMILIES.index(family) if family in FAMILIES else None
            if fam is None:
                raise KeyError(f"unknown stream family {family!r}")
            words = (*self.spawn_key, 2000 + fam, *(stable_key(s) for s in key))
            gen = np.random.default_rng(np.random.SeedSequence(self.entropy,
                                                               spawn_key=words))
            self._children[k] = gen
        return gen
