# Information items arrive with the items issue.
