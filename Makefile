# Switchboard — the two commands a new machine needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test test-browser lint format bench setup migrate seed messages clean help

help:
	@echo "make run    set up and start the app on http://$(HOST):$(PORT)/ (SQLite, demo data)"
	@echo "make test   set up and run the test suite (uses DATABASE_URL when set)"
	@echo "make bench  run the speed benchmarks (ONLY=name for one scenario)"
	@echo "make lint   ruff check + format check + migrations check"

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependency list changes, so a second `make run` starts at once.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

migrate: setup
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py seed_holidays
	$(PY) manage.py seed_demo_roster
	$(PY) manage.py seed_demo_history
	$(PY) manage.py seed_demo_calls
	$(PY) manage.py seed_demo_messages
	$(PY) manage.py seed_demo_reviews
	$(PY) manage.py build_operator_days --demo
	$(PY) manage.py build_recap --last 56
	$(PY) manage.py seed_demo_recaps
	$(PY) manage.py seed_demo_handovers

run: seed
	@echo ""
	@echo "  Switchboard is starting on http://$(HOST):$(PORT)/"
	@echo "  Demo log-ins (password switchboard-demo): operator, supervisor, admin, staff"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup
	$(BIN)/pytest $(PYTEST_ARGS)

test-browser: setup
	$(BIN)/pytest -m browser $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup
	$(PY) -m bench $(if $(ONLY),--only $(ONLY),)

messages: setup
	$(PY) manage.py makemessages -l id --ignore=.venv --ignore=var --ignore=bench --ignore=tests --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf var/bench var/staticfiles
