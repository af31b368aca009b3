# Kefu — the two commands a newcomer runs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

.PHONY: run dev test lint bench messages clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## make run: migrate the SQLite database in var/, load the demo once, serve on :$${PORT:-8000}
run: $(STAMP)
	$(BIN)/kefu manage migrate --noinput -v0
	$(BIN)/kefu demo
	$(BIN)/kefu run

dev: $(STAMP)
	$(BIN)/kefu manage migrate --noinput -v0
	$(BIN)/kefu demo
	DEBUG=1 $(BIN)/kefu run --dev

## make test: the whole suite (SQLite unless DATABASE_URL is set)
test: $(STAMP)
	KEFU_VAR=$(CURDIR)/var/test $(BIN)/python -m pytest $(PYTEST_ARGS)

## make lint: ruff (lint and format) and the import contracts in .importlinter
lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	PYTHONPATH=src $(BIN)/lint-imports

messages: $(STAMP)
	cd src/kefu && ../../$(BIN)/kefu manage makemessages -l zh_Hans --no-obsolete --add-location file
	$(BIN)/python scripts/compile_messages.py

clean:
	rm -rf $(VENV) var/test
