"""SafeMall's version, recorded in replays and batch databases."""

__version__ = "0.1.0"
