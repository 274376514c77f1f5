"""Negahban: moderation of Persian user reviews."""

__version__ = "0.1.0"
