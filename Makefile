# Quick start: `make run` runs everything with the embedded defaults (API, worker, beat, local
# mailbox); `make test` runs the suite.
# Both create .venv and install the project on first use; nothing needs installing by hand.
#
# Versions come from the lock files in requirements/ (`make lock` regenerates them):
#   runtime.txt  what the Docker image and the runtime check install, nothing else
#   test.txt     the same pins plus the test tools, for .venv

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
SMTP_PORT ?= 8025
DATA_DIR ?= $(or $(CONTINUUM_DATA_DIR),data)

# The install users get, built the way the Dockerfile builds it: the runtime lock, then the
# package alone with --no-deps. The suite runs `continuum` from here in its deployment tests.
RUNTIME_VENV  := .venv-runtime
RUNTIME_STAMP := $(RUNTIME_VENV)/.installed
SOURCES       := $(shell find workflow api web tasks cli migrations -type f -not -path '*/__pycache__/*' 2>/dev/null)

LOCK_FLAGS := --quiet --universal --python-version 3.11 --generate-hashes --no-strip-extras
export UV_NATIVE_TLS ?= 1

.PHONY: run test lint install runtime-env lock migrate messages clean

define check_python
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Continuum needs Python 3.11 or newer: set PYTHON=python3.11")'
endef

$(STAMP): pyproject.toml requirements/test.txt
	$(check_python)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing Continuum and its dependencies into $(VENV) ..."
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/test.txt 2>&1 | grep -v "^WARNING: Location" || true
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e . 2>&1 | grep -v "^WARNING: Location" || true
	@$(BIN)/python -c 'import workflow, api, fastapi, sqlmodel, celery, pytest' || (echo "installation failed" >&2; exit 1)
	@touch $(STAMP)

$(RUNTIME_STAMP): requirements/runtime.txt pyproject.toml $(SOURCES)
	$(check_python)
	@rm -rf $(RUNTIME_VENV) && $(PYTHON) -m venv $(RUNTIME_VENV)
	@echo "Building the runtime install (requirements/runtime.txt, then the package) in $(RUNTIME_VENV) ..."
	@$(RUNTIME_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/runtime.txt 2>&1 | grep -v "^WARNING: Location" || true
	@$(RUNTIME_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps . 2>&1 | grep -v "^WARNING: Location" || true
	@rm -rf build
	@$(RUNTIME_VENV)/bin/continuum --help >/dev/null || (echo "runtime installation failed" >&2; exit 1)
	@touch $(RUNTIME_STAMP)

install: $(STAMP)

runtime-env: $(RUNTIME_STAMP)

# Regenerate both locks from pyproject.toml, keeping current pins where they still fit;
# `make lock UPGRADE=1` moves every pin to the newest release that resolves.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml $(LOCK_FLAGS) $(if $(UPGRADE),--upgrade) -o requirements/runtime.txt
	$(BIN)/uv pip compile pyproject.toml $(LOCK_FLAGS) --extra test -c requirements/runtime.txt -o requirements/test.txt

migrate: $(STAMP)
	$(BIN)/continuum migrate

run: $(STAMP)
	CONTINUUM_DATA_DIR=$(DATA_DIR) $(BIN)/continuum dev --host $(HOST) --port $(PORT) --smtp-port $(SMTP_PORT)

# ruff (style, imports, likely bugs) over the whole tree, then mypy: strict for workflow/, checked for
# api/, tasks/ and cli/ (both configured in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# The console's messages: a template (artifacts/messages.pot) for translators, and those still
# without an Albanian translation in web/locale/sq/*.po.
messages: $(STAMP)
	@mkdir -p artifacts
	$(BIN)/pybabel -q extract -F babel.cfg -k N_ -k ngettext:1,2 -o artifacts/messages.pot .
	$(BIN)/python -m tests.web.catalogs

test: $(STAMP) $(RUNTIME_STAMP)
	CONTINUUM_RUNTIME_VENV=$(abspath $(RUNTIME_VENV)) $(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) $(RUNTIME_VENV) data .pytest_cache
