"""Cell values for spreadsheet exports (openpyxl, CSV)."""

from decimal import Decimal

# A spreadsheet reads text that starts with one of these as a formula (or as the start
# of one, after a tab or carriage return), so "=HYPERLINK(…)" typed as a unit name or an
# instruction would run in the reader's Excel. Such text is written with an apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """`value` as a cell may hold it: formula-like text stays text, Decimal becomes float."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
