"""Generators of bundled inputs: racetrack malls and Safe Mall security plans."""
