# The commands the README promises. Everything installs into .venv from the package registries.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# A per-checkout secret key, made once, so `make run` works with DEBUG off (as in production)
# and sessions survive a restart. A DJANGO_SECRET_KEY already in the environment wins.
SECRET_FILE := $(VENV)/secret-key
WITH_KEY = DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat $(SECRET_FILE))}"

.PHONY: install run test test-postgres lint docs format clean validators audit bench bench-tools loadtest backup restore

$(VENV)/installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

$(SECRET_FILE): | $(VENV)/installed
	$(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

install: $(VENV)/installed $(SECRET_FILE)

# The Nu Html Checker (vnu-jar from npm) for the HTML-validity tests; skipped when npm is absent.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: the HTML validation tests will be skipped"; \
	fi

validators: node_modules/.installed

run: install
	@echo "== migrate the database"
	@$(WITH_KEY) $(PY) manage.py migrate --noinput --verbosity 1
	@$(WITH_KEY) $(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "== import seeds/"
	@$(WITH_KEY) $(PY) manage.py import_seeds --publish seeds/
	@echo "== demo editor"
	@$(WITH_KEY) $(PY) manage.py create_demo_editor --site http://$(HOST):$(PORT)
	@echo "== serving http://$(HOST):$(PORT)/ (Ctrl-C stops)"
	@$(WITH_KEY) $(PY) manage.py runserver $(HOST):$(PORT)

# The suite collects static files itself (tests/conftest.py), so a bare pytest works too.
test: install validators
	@$(WITH_KEY) $(PY) -m pytest $(PYTEST_ARGS)

# Lighthouse's four scores for the article page, from gunicorn and Debian's Chromium. The test
# fails below the issue's bar (100, and 95 for performance), and below 100 in any for a story
# with a lead image; a missing tool fails, never skips.
audit: install validators
	@$(WITH_KEY) NEWSROOM_REQUIRE_BROWSER=1 $(PY) -m pytest -q -s -p no:cacheprovider \
		tests/test_lighthouse.py::test_lighthouse_scores_the_article_page_at_the_issues_bar \
		tests/test_lighthouse.py::test_lighthouse_scores_a_story_with_a_lead_image_100_in_every_category

# The same suite on PostgreSQL (the server on 127.0.0.1:5432 unless DATABASE_URL says otherwise).
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
# Tests marked own_site serve a SQLite site of their own whatever DATABASE_URL says (browser,
# Lighthouse, Varnish): run once, by `make test`, since they would run the very same here.
test-postgres: install validators
	@echo "== the suite on PostgreSQL, less the own_site tests (their sites are SQLite; make test runs them)"
	@DATABASE_URL="$${DATABASE_URL:-$(POSTGRES_URL)}" $(WITH_KEY) $(PY) -m pytest -m "not own_site" $(PYTEST_ARGS)

# Readers, import, size and memory, each as a ratio against a floor measured in the same run,
# in under ten minutes; the report also goes to bench/results.md. BENCH_ARGS=--quick: a smoke run.
bench: install bench-tools
	@$(WITH_KEY) $(PY) -m bench $(BENCH_ARGS)

# What the bench serves and loads with, from Debian's packages: wrk, nginx (the static-file
# floor for Varnish) and Varnish with xkey. Installed when missing and we are root; otherwise
# the figures that need them say "not measured" and why.
BENCH_PACKAGES := wrk:/usr/bin/wrk nginx-light:/usr/sbin/nginx varnish:/usr/sbin/varnishd
bench-tools:
	@missing=""; \
	for entry in $(BENCH_PACKAGES); do [ -x "$${entry#*:}" ] || missing="$$missing $${entry%%:*}"; done; \
	ls /usr/lib/*/varnish/vmods/libvmod_xkey.so >/dev/null 2>&1 || missing="$$missing varnish-modules"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "== installing$$missing from Debian's packages"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "bench: missing$$missing (not root, or no apt-get): those figures will say not measured"; \
		fi; \
	fi

# Readers under load while an import and admin saves run, on SQLite and (when up) PostgreSQL.
loadtest: install
	@$(WITH_KEY) $(PY) -m bench.loadtest $(LOADTEST_ARGS)

# An online copy of the database (SQLite backup API, or pg_dump) into backups/, and back.
backup: install
	@$(WITH_KEY) $(PY) manage.py backup $(if $(FILE),--output $(FILE))

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/<file>" >&2; exit 2; }
	@$(WITH_KEY) $(PY) manage.py restore "$(FILE)"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SECRET_KEY=lint $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports

# The docs site (docs/, mkdocs.yml) into site/. --strict makes every warning an error: a broken
# link or anchor, an absolute link, a page missing from the nav.
docs: install
	$(VENV)/bin/mkdocs build --strict --site-dir site

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) node_modules staticfiles site .pytest_cache .ruff_cache
