"""A real OpenLDAP server (Debian's slapd) for the directory-login tests (issue 16).

Each test that asks for `ldap_server` gets a fresh server on a free local port, with a
temporary config and database loaded from ldap/directory.ldif by slapadd: tests may
change the directory without meeting each other. No mock directory.
"""

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import ldap
import pytest
from django.conf import settings

from govinfo.ldapconf import BACKEND, ldap_settings

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SLAPADD = shutil.which("slapadd") or "/usr/sbin/slapadd"
LDIF = Path(__file__).parent / "ldap" / "directory.ldif"
SUFFIX = "dc=example,dc=cn"
ROOT_DN, ROOT_PW = f"cn=admin,{SUFFIX}", "root-pass"
SERVICE_DN, SERVICE_PW = f"cn=govinfo,ou=services,{SUFFIX}", "service-pass"
CONFIG = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {dir}/slapd.pid
argsfile {dir}/slapd.args
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "{root_dn}"
rootpw {root_pw}
directory {dir}/db
access to attrs=userPassword by self write by anonymous auth by * none
access to * by * read
"""


@dataclass
class LdapServer:
    uri: str

    def settings(self, **overrides) -> dict:
        """The settings LDAP_* environment values would give, for override_settings."""
        values = {
            "server_uri": self.uri, "bind_dn": SERVICE_DN, "bind_password": SERVICE_PW,
            "search_base": f"ou=people,{SUFFIX}", "user_filter": "(uid=%(user)s)",
            "unit_attr": "departmentNumber", "disabled_filter": "(employeeType=disabled)",
        } | overrides  # fmt: skip
        out = ldap_settings(**values)
        # As settings.py does: the directory right after axes, the local accounts behind it.
        backends = [b for b in settings.AUTHENTICATION_BACKENDS if b != BACKEND]
        out["AUTHENTICATION_BACKENDS"] = [backends[0], BACKEND, *backends[1:]]
        return out

    def admin(self):
        conn = ldap.initialize(self.uri)
        conn.simple_bind_s(ROOT_DN, ROOT_PW)
        return conn

    def modify(self, uid: str, **attrs: str | None) -> None:
        """Set (or, with None, remove) attributes of a person, as the directory's admin."""
        conn = self.admin()
        dn = f"uid={uid},ou=people,{SUFFIX}"
        changes = [
            (ldap.MOD_REPLACE, name, [value.encode()]) if value is not None else (ldap.MOD_DELETE, name, None)
            for name, value in attrs.items()
        ]
        conn.modify_s(dn, changes)
        conn.unbind_s()

    def add_person(self, uid: str, name: str, unit_code: str, password: str = "Dir-pass-2026") -> None:
        conn = self.admin()
        conn.add_s(f"uid={uid},ou=people,{SUFFIX}", [
            ("objectClass", [b"inetOrgPerson"]), ("uid", [uid.encode()]), ("cn", [name.encode()]),
            ("sn", [name[:1].encode()]), ("departmentNumber", [unit_code.encode()]),
            ("userPassword", [password.encode()]),
        ])  # fmt: skip
        conn.unbind_s()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def ldap_server(tmp_path):
    if not Path(SLAPD).exists():
        pytest.fail("slapd is not installed: run `bash scripts/system-packages.sh` as root")
    (tmp_path / "db").mkdir()
    conf = tmp_path / "slapd.conf"
    conf.write_text(CONFIG.format(dir=tmp_path, suffix=SUFFIX, root_dn=ROOT_DN, root_pw=ROOT_PW))
    subprocess.run([SLAPADD, "-f", str(conf), "-l", str(LDIF)], check=True, capture_output=True)
    port = _free_port()
    uri = f"ldap://127.0.0.1:{port}"
    # -d 0: stay in the foreground (the fixture owns the process) and log nothing.
    proc = subprocess.Popen([SLAPD, "-f", str(conf), "-h", uri, "-d", "0"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 15
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"slapd exited: {proc.stderr.read().decode(errors='replace')}")
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail("slapd did not accept connections within 15 s")
            time.sleep(0.05)  # polling the port, not waiting a fixed time for it
    yield LdapServer(uri=uri)
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
