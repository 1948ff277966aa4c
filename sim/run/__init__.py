"""One run of a scenario: assemble the world with its staff and hazards, run, summarise."""
