"""A django.test.Client signed in as a person, the way the site's own login leaves them.

Editors, issue approvers and administrators need a second factor (units/twofactor/):
a client that only passed the password is sent to the code page (302) on every other
page, so a benchmark would measure that redirect, or stop on it. The session is marked
verified with the person's authenticator, as django_otp.login does after a right code
(and as the tests' force_login does, tests/conftest.py).
"""


def signed_in_client(user):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from units.twofactor.access import confirmed_device, requires_two_factor
    from units.twofactor.actions import DEVICE_NAME

    client = Client()
    client.force_login(user, backend="units.backends.LocalAccountBackend")
    if requires_two_factor(user):
        device = confirmed_device(user) or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
