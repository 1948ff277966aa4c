"""The security plan in a run: the alarm chain, the staff and their cell graph."""
