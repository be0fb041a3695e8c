# Quick start: `make run` runs everything with the embedded defaults (API, worker, beat, local
# mailbox); `make test` runs the suite.
# Both create .venv and install the project on first use; nothing needs installing by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install migrate clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Continuum needs Python 3.11 or newer: set PYTHON=python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing Continuum and its dependencies into $(VENV) ..."
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]' 2>&1 | grep -v "^WARNING: Location" || true
	@$(BIN)/python -c 'import workflow, api, fastapi, sqlmodel, celery' || (echo "installation failed" >&2; exit 1)
	@touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	$(BIN)/continuum migrate

run: $(STAMP)
	$(BIN)/continuum dev --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) data .pytest_cache
