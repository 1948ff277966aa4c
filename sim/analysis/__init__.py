"""Analyses built on the model and on runs: egress code, compliance, barriers, verification."""
