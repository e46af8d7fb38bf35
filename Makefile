# The two commands a fresh machine needs:
#   make run   installs, migrates, loads the demo data and serves http://127.0.0.1:8000
#              on the embedded default (SQLite file, tasks in-process, e-mail to the console)
#   make test  installs the dev tools and runs the whole test suite (in parallel)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_WORKERS ?= auto

.PHONY: run test lint lint-steps lint-ruff lint-format lint-check lint-migrations lint-types \
	install install-dev lock migrate seed worker beat clean vendor vendor-check

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: requirements/base.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements/base.txt
	touch $@

$(VENV)/.installed-dev: requirements/dev.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	touch $@ $(VENV)/.installed-base

install: $(VENV)/.installed-base
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install-dev
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Every step runs (-k), so one failure does not hide the others; make still fails at the end.
lint: install-dev
	$(MAKE) -k lint-steps

lint-steps: lint-ruff lint-format lint-check lint-migrations lint-types

lint-ruff:
	$(VENV)/bin/ruff check .
lint-format:
	$(VENV)/bin/ruff format --check .
lint-check:
	$(PY) manage.py check
lint-migrations:
	$(PY) manage.py makemigrations --check --dry-run
# Types (pyproject.toml [tool.mypy]): strict on core, domain modules, services, selectors.
lint-types:
	$(VENV)/bin/mypy

worker: install
	$(VENV)/bin/celery -A stp_portal worker --loglevel=info

beat: install
	$(VENV)/bin/celery -A stp_portal beat --loglevel=info

# Re-pin every dependency after editing pyproject.toml (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
		--generate-hashes -q -o requirements/base.txt --custom-compile-command "make lock"
	uv pip compile pyproject.toml --extra dev --python-version 3.11 \
		--python-platform x86_64-unknown-linux-gnu --generate-hashes -q \
		-o requirements/dev.txt --custom-compile-command "make lock"

# Front-end assets (tools/vendor.toml: pinned versions, sha512-checked, no CDN). `vendor`
# downloads them from the npm registry and rewrites tools/vendor.sums; `vendor-check`
# checks the committed files against it offline (the test suite does too).
vendor:
	$(PYTHON) tools/vendor.py
vendor-check:
	$(PYTHON) tools/vendor.py --check

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .mypy_cache
