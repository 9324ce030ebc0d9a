# Two commands on a fresh machine: `make run` and `make test`. Everything else is a step of those.
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000
WORKERS ?= 2
SERVE_SECRET := $(VENV)/.serve-secret-key

.PHONY: run serve test install migrate seed bench lint format clean

run: seed ## set up everything, then serve the site on SQLite at http://127.0.0.1:8000/
	$(PY) manage.py ensure_dev_login --url http://$(HOST):$(PORT)/admin/
	$(PY) manage.py runserver $(HOST):$(PORT)

serve: seed $(SERVE_SECRET) ## production settings: gunicorn + whitenoise at http://127.0.0.1:8000/
	@# Plain HTTP on this machine, so no redirect to HTTPS unless asked for; a secret kept in
	@# the virtualenv unless DJANGO_SECRET_KEY is given. REDIS_URL=redis://... shares the cache.
	DJANGO_SETTINGS_MODULE=archive_site.settings.prod \
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat $(SERVE_SECRET))}" \
	DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-$(HOST),localhost}" \
	DJANGO_SECURE_SSL_REDIRECT="$${DJANGO_SECURE_SSL_REDIRECT:-0}" \
	sh -c '$(PY) manage.py collectstatic --noinput --verbosity 0 && \
	  exec $(VENV)/bin/gunicorn archive_site.wsgi --workers $(WORKERS) --bind $(HOST):$(PORT) \
	  --access-logfile -'

$(SERVE_SECRET): $(STAMP)
	$(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

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

seed: migrate ## import the files in seeds/ the archive does not have yet; report the others
	$(PY) manage.py import_document --new-only seeds/*.txt

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
