"""Directory (LDAP / Active Directory) login settings, from environment values.

Kept apart from settings.py so that the tests build the same settings for the OpenLDAP
server they start. Imports only python-ldap and django-auth-ldap's config: settings.py
calls it before the apps are loaded.
"""

import re

BACKEND = "units.directory.ldap.DirectoryBackend"
USERNAME_IN_FILTER = re.compile(r"\(\s*([A-Za-z][\w-]*)\s*=\s*%\(user\)s\s*\)")


def username_attr(user_filter: str) -> str:
    """The attribute that holds the user name: the one the filter compares with %(user)s
    ("(sAMAccountName=%(user)s)" → sAMAccountName)."""
    m = USERNAME_IN_FILTER.search(user_filter)
    if m is None:
        raise ValueError(f"LDAP_USER_FILTER must compare one attribute with %(user)s: {user_filter!r}")
    return m[1]


def ldap_settings(
    *,
    server_uri: str,
    bind_dn: str = "",
    bind_password: str = "",
    search_base: str,
    user_filter: str = "(uid=%(user)s)",
    unit_attr: str = "departmentNumber",
    disabled_filter: str = "",
    name_attr: str = "cn",
) -> dict:
    """The AUTH_LDAP_* settings for django-auth-ldap and GOVINFO_LDAP for our own code
    (the nightly sync, the unit attribute, the test that tells a disabled person)."""
    import ldap
    from django_auth_ldap.config import LDAPSearch

    return {
        "AUTH_LDAP_SERVER_URI": server_uri,
        "AUTH_LDAP_BIND_DN": bind_dn,
        "AUTH_LDAP_BIND_PASSWORD": bind_password,
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(search_base, ldap.SCOPE_SUBTREE, user_filter),
        # Attributes are copied by DirectoryBackend itself (lengths checked, the unit
        # resolved), not by the library's map.
        "AUTH_LDAP_USER_ATTR_MAP": {},
        "AUTH_LDAP_ALWAYS_UPDATE_USER": False,
        # A directory that does not answer must not hang the login page.
        "AUTH_LDAP_CONNECTION_OPTIONS": {ldap.OPT_REFERRALS: 0, ldap.OPT_NETWORK_TIMEOUT: 5, ldap.OPT_TIMEOUT: 10},
        "GOVINFO_LDAP": {
            "server_uri": server_uri,
            "bind_dn": bind_dn,
            "bind_password": bind_password,
            "search_base": search_base,
            "user_filter": user_filter,
            "username_attr": username_attr(user_filter),
            "unit_attr": unit_attr,
            "disabled_filter": disabled_filter,
            "name_attr": name_attr,
        },
    }
