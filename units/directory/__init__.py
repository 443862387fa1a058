"""The directory of a province (units and people) in and out of Excel (issue 16).

template.py names the two sheets and their columns; parse.py reads an uploaded file
into rows (refusing bad files whole); plan.py compares the rows with the database and
says, per row, what would change and why a row is refused; apply.py writes a plan in
one transaction; exports.py writes the current directory in the same template.
"""
