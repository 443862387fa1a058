"""The project's own middleware, one module per concern (settings.MIDDLEWARE orders them).

dberrors.py   the database is unreachable: a Chinese 503 page that keeps what was typed
cache.py      no-store for signed-in pages and downloads
login.py      a login for every page; the API authenticates itself
sessions.py   idle and absolute session timeouts
twofactor.py  a session that still owes its second factor stays on the 2FA pages
"""
