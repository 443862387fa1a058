#!/usr/bin/env bash
# The Debian packages the test suite drives: Chromium (browser journeys), CJK fonts (the
# Word/PDF layout), LibreOffice (opens the generated Word files), poppler (reads PDFs back),
# OpenLDAP's slapd and tools (the directory-login tests start a real server) and the
# headers python-ldap (django-auth-ldap) is built against, npm (axe-core for the
# accessibility tests) and redis-server (the load benchmark's smoke run starts its own).
# `make test` and `.ci/run` both call this. As root it installs what is missing with apt;
# otherwise it stops at once and prints the exact command to run.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || need+=(fonts-noto-cjk)
# soffice alone is not enough: libreoffice-common keeps it when Writer is removed.
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
{ command -v soffice >/dev/null && { installed libreoffice-writer-nogui || installed libreoffice-writer; }; } \
  || need+=(libreoffice-writer-nogui)
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v slapd >/dev/null || [ -x /usr/sbin/slapd ] || need+=(slapd)
command -v ldapadd >/dev/null || need+=(ldap-utils)
[ -f /usr/include/ldap.h ] || need+=(libldap2-dev)
[ -f /usr/include/sasl/sasl.h ] || need+=(libsasl2-dev)
# The load benchmark's smoke run (tests/test_bench.py) starts a redis-server of its own.
command -v redis-server >/dev/null || need+=(redis-server)
# npm fetches axe-core for the accessibility tests (tests/browser/package.json).
command -v npm >/dev/null || need+=(npm)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "测试需要以下系统软件包，请先以 root 安装 / the tests need these Debian packages:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${need[*]}" >&2
  exit 1
fi
echo "Installing ${need[*]} …"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
