"""Benchmarks that seed realistic volume and print figures (see README.md)."""
