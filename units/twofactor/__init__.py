"""Two-factor login with a time-based code (TOTP, django-otp).

Editors, issue approvers, administrators and superusers must confirm a password login
with the 6-digit code of an authenticator app; anyone else may opt in, after which the
code is required for them too. django-otp's OTPMiddleware marks a session as verified
(`request.user.is_verified()`); govinfo/middleware/twofactor.py keeps unverified
sessions on the two-factor pages.

    access.py        who must use a second factor, whose session has passed it
    actions.py       setting up, confirming, checking and resetting an authenticator
    provisioning.py  the secret and QR code the setup page shows
    forms.py, views.py, urls.py   the pages under /2fa/
"""
