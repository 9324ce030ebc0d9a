# Two commands on a fresh machine: `make run` and `make test`. Everything else is a step of those.
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install migrate seed bench lint format clean

run: seed ## set up everything, then serve the site on SQLite at http://127.0.0.1:8000/
	$(PY) manage.py ensure_dev_login --url http://$(HOST):$(PORT)/admin/
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install ## the whole suite (SQLite; DATABASE_URL=postgres://... for PostgreSQL)
	$(PY) -m pytest $(PYTEST_ARGS)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate ## import every file in seeds/ (unchanged files are skipped)
	$(PY) manage.py import_document seeds/*.txt

bench: install ## benchmarks; figures go to bench/RESULTS.md
	$(PY) bench/run.py

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles test-output
