# IT Cost & Report Center — everyday commands.  `make run` and `make test` work on a fresh Debian/Ubuntu machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
# e-mailed report links point here; `make run PORT=8080` moves both unless BASE_URL is given (BASE_URL=... make run)
BASE_URL ?= http://127.0.0.1:$(PORT)
export FLASK_APP := webapp

.PHONY: run test lint setup catalogues system-deps-run system-deps-test worker scheduler bench clean

# .installed: what the app needs to run (requirements.txt); .installed-dev adds the test tools
# (requirements-dev.txt). Each stamp is redone when its file changes, so a fresh clone gets both for `make test`.
$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(BIN)/.installed-dev: requirements-dev.txt $(BIN)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

system-deps-run:
	bash scripts/system-deps.sh run

system-deps-test:
	bash scripts/system-deps.sh test

## catalogues: compile the translations the app reads (.po → .mo); the app never writes into its package
catalogues: $(BIN)/.installed
	$(BIN)/python scripts/i18n.py compile

setup: system-deps-run $(BIN)/.installed catalogues

## run: the app on http://127.0.0.1:$(PORT) (default 5000) with SQLite, in-process jobs and the demo tenant
run: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed --if-empty
	@echo ""
	@echo "  Open http://127.0.0.1:$(PORT) and sign in with a demo login above (links in e-mails: $(BASE_URL))."
	@echo ""
	BASE_URL="$(BASE_URL)" $(BIN)/gunicorn --workers 1 --threads 8 --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

## lint: ruff's checks and its formatter (configured in pyproject.toml); `make test` runs it first
lint: $(BIN)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## test: lint, then the whole suite (set TEST_DATABASE_URL and TEST_REDIS_URL to add the PostgreSQL + Redis suites)
test: system-deps-test $(BIN)/.installed-dev catalogues lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

worker: setup
	$(BIN)/rq worker --with-scheduler --url "$${REDIS_URL:?set REDIS_URL}" default

scheduler: setup
	$(BIN)/flask scheduler run

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts
