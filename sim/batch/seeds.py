"""Seeds for batch runs: one root, one child per (configuration, replication), by index.

The child of replication ``rep`` of configuration ``config_index`` is::

    SeedSequence(root_entropy, spawn_key=(config_index, rep))      # seeding = "independent"
    SeedSequence(root_entropy, spawn_key=(rep,))                   # seeding = "common"

This is exactly ``SeedSequence(root).spawn(...)[config_index].spawn(...)[rep]`` (numpy's
spawn tree), but written by index rather than by calling the stateful ``spawn()``: a
run's seed depends only on the root and its two indices, never on which runs were
started before it, so resuming a batch, adding replications or running in any order on
any number of workers never changes an existing run's seed. ``sim.engine.rng.Streams`` then
appends one more key per named stream.

``common`` seeding gives replication ``rep`` of *every* configuration the same seed
(common random numbers): the same placements, speeds and pre-movement delays across
staffing options, so differences between options are less noisy. It is what
``safemall adequacy`` uses.
"""

from __future__ import annotations

import numpy as np

from sim.batch.spec import Seeding


def spawn_key(config_index: int, rep: int, seeding: Seeding = "independent") -> tuple[int, ...]:
    """The spawn key of one run below the batch root."""
    if config_index < 0 or rep < 0:
        raise ValueError(f"indices must be >= 0, got ({config_index}, {rep})")
    return (rep,) if seeding == "common" else (config_index, rep)


def run_seed(root_entropy: int, config_index: int, rep: int,
             seeding: Seeding = "independent") -> np.random.SeedSequence:
    """The child ``SeedSequence`` of one run (a pure function of its arguments)."""
    return np.random.SeedSequence(root_entropy,
                                  spawn_key=spawn_key(config_index, rep, seeding))
