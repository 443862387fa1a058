"""Instructions (批示) and feedback (反馈), laid out like the app around them: `access`
(who may write, see and answer), `actions` (instructing, reporting back, the deadline
check), `queries` (the lists and the computed statuses), `forms`, `views`, `urls`,
`tasks` (the scheduled check) and `exports` (the office's Excel list)."""
