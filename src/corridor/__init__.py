"""Corridor: coordinating grassroots, cross-border humanitarian aid in Myanmar."""

__version__ = "0.1.0"
