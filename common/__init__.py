"""Small helpers that every app may use and that know nothing of the domain.

Not a Django app: no models, no settings. It sits below `audit` and `units`, so the
apps' dependency order (audit ← units ← submissions ← publications ← scoring) holds.
"""
