# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test install install-dev system-packages lint format demo clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# make run ADDR=0.0.0.0:8000 serves the network; e-mail links follow ADDR (or SITE_URL if set).
ADDR ?= $(if $(GOVINFO_ADDR),$(GOVINFO_ADDR),127.0.0.1:8000)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py loaddemo
	$(PY) manage.py runall --addr $(ADDR)

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py loaddemo

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Chromium, CJK fonts, LibreOffice, poppler, slapd and npm, installed with apt when missing (as root).
system-packages:
	bash scripts/system-packages.sh

# axe-core for the accessibility tests, from npm at the locked version; the tests inject
# it into pages, the app never serves it.
AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund
	touch $@

test: system-packages lint $(AXE)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

clean:
	rm -rf var/celery var/cache var/staticfiles
