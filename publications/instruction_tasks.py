"""Scheduled work for instructions (filled in with the instructions workflow)."""
