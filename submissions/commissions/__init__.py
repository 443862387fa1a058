"""Commissions (约稿) and monthly progress (一月一报、进度不过十).

One package for both because they share their shape: an office expects items from its
child units by a deadline, reminds those who have not answered, and lists who answered
on time, late or not at all. As in the rest of the app: access.py decides who may see
and do what, actions.py holds the acts (including the scheduled ones that
submissions/tasks.py runs), queries.py the reads that the pages and the API share,
exports.py the spreadsheet, panels.py the item page's panel.

An answer counts once it has left its unit (signed off: `Item.first_submitted_at`, kept
across revisions); it is on time when that moment is not after the deadline.
"""
