# fii: `make demo` to try it, `make test` to run the tests, `make lint` before a commit.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1:8000

.PHONY: install demo serve migrate test test-fast lint format messages nightly backup restore clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

## Set everything up on the embedded default (SQLite, tasks in-process) and serve the demo.
demo: migrate
	$(BIN)/python manage.py seed_demo
	@if $(BIN)/python manage.py help run_nightly >/dev/null 2>&1; then $(BIN)/python manage.py run_nightly; fi
	@echo ""
	@echo "  fii is running at http://$(HOST)/  (Ctrl+C to stop). Demo accounts are listed above."
	@echo "  Two-factor authentication is off for this demo only; staff must set it up elsewhere."
	@echo ""
	REQUIRE_MFA=0 $(BIN)/python manage.py runserver $(HOST)

serve: install
	$(BIN)/python manage.py runserver $(HOST)

nightly: install
	$(BIN)/python manage.py run_nightly

## The whole suite: SQLite unless DATABASE_URL is set.
test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Back the database up (pg_dump on PostgreSQL) into backups/; restore one with FILE=...
backup: install
	$(BIN)/python manage.py backup

restore: install
	@test -n "$(FILE)" || (echo "Usage: make restore FILE=backups/fii-....dump" && exit 2)
	$(BIN)/python manage.py restore "$(FILE)"

## Refresh the Spanish catalogue after changing strings (needs GNU gettext).
messages: install
	$(BIN)/python manage.py makemessages -l es --ignore=.venv --ignore=staticfiles --no-obsolete
	$(BIN)/python manage.py compilemessages -l es --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
