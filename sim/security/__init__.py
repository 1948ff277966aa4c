"""Security plans, the alarm chain and the staff who act on it."""
