"""Hazards for SafeMall.

``fire_physics``, ``smoke`` and ``crowd_physics`` hold the pure physics (fire growth, smoke
filling and spread, tenability, crowd-density thresholds): no SimPy, no files, no printing.
"""
