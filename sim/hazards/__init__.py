"""Hazard physics for SafeMall: fire growth, smoke filling and spread, tenability, crowd density.

Pure functions and small stepped models; no SimPy, no I/O.
"""
