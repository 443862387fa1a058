# Schemes, quotas and the points ledger arrive with the scoring issue.
