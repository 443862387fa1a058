"""The JSON API (/api/v1/): the same actions, access functions and queries the pages use."""
