"""Scheduled work for commissions and monthly progress (filled in with those workflows)."""
