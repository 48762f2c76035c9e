# Uplifted Assistant. `make run` serves the app; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA_DIR ?= $(or $(UPLIFTED_DATA_DIR),data)

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False
export UPLIFTED_DATA_DIR := $(DATA_DIR)

.PHONY: install run test lint bench sample-kb browser axe clean models

install: $(STAMP)

# torch is pinned to the CPU wheel that lies on this machine's disk; any other torch pulls CUDA.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The safety, intent and answerability models and the query adapter, trained from the development set (eval/dev) when missing or stale.
models: $(STAMP)
	$(BIN)/uplifted train safety --if-stale
	$(BIN)/uplifted train intent --if-stale
	$(BIN)/uplifted train retrieval --if-stale
	$(BIN)/uplifted train answerability --if-stale

# Syncs the sample articles only into an empty knowledge base: staff changes are never overwritten.
sample-kb: $(STAMP) models
	$(BIN)/uplifted kb sync knowledge_base/articles --if-empty

run: sample-kb
	$(BIN)/uplifted serve --host 127.0.0.1 --port 7860

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# The console's browser test drives Debian's Chromium (Playwright never downloads a browser here).
CHROMIUM := /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; \
	  else echo "Chromium is missing: install Debian's chromium package as root (apt-get install chromium)"; exit 1; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# axe-core, which the browser tests inject into each page to check WCAG 2.1 AA, from npm into .venv/npm
# (git-ignored). The pages never load it themselves.
AXE_VERSION := 4.14.1
AXE := $(VENV)/npm/node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE):
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; \
	  else echo "npm is missing: install Debian's npm package as root (apt-get install npm)"; exit 1; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq npm >/dev/null; }
	npm install --prefix $(VENV)/npm --no-audit --no-fund --loglevel=error axe-core@$(AXE_VERSION)
	test -f $(AXE)

test: $(STAMP) lint browser axe models
	$(BIN)/pytest

bench: $(STAMP) models browser
	$(BIN)/python -m bench
	$(BIN)/python -m bench.chat
	$(BIN)/python -m bench.console
	$(BIN)/python -m bench.page

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
