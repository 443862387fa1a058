"""Emergencies (突发事件): one case reported as 首报, then 续报一、续报二 …, closed by the 终报.

The reports are ordinary items and move through `actions.transition()`; this package
holds what is particular to the case, in the app's usual files: access.py (who reads a
case and writes its reports), actions.py (starting a case, adding reports, timing the
written report, 漏报), queries.py (the listings and the case's reports), forms.py,
views.py, urls.py and panels.py (the item page's case panel). Two reactions to the
ordinary acts run from the after-transition hook (hooks.py, registered in
`SubmissionsConfig.ready()`):

- the first report signed off is the written report. Its first sign-off time (kept across
  revisions as `first_submitted_at`) is compared with the grade's written deadline; when
  later, the case and the item are marked 迟报 and the assessing office's scheme is asked,
  once, for the "emergency_late" penalty (which the schemes may make an award veto);
- the final report signed off closes the case; no report can be added afterwards.

A case whose written deadline passes with no first report signed off is 漏报 ("missed"):
the hourly task (submissions.tasks.remind_commissions) asks the scheme once for that
penalty (and its veto). Should the first report still arrive, the facts make it a late
report instead: its "emergency_late" penalty replaces the 漏报 one, so the outcome never
depends on when the task ran.

Every report signed off alerts the office's editors at once (in-app and by e-mail).
"""
