"""The crowd engine: cell network, world, movement, routing, population, randomness."""
