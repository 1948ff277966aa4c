"""Typed inputs: layouts, scenarios, security plans and their validation (no files)."""
