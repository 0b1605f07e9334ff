# Helpt: `make serve` to preview the site, `make test` to run every check.
# Each target sets up what it needs first; `make setup` is fast when nothing changed.

PORT ?= 8000
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/uv-$(UV_VERSION)/bin/uv
VENV := .venv
# Python comes from the machine; uv must never download one.
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)

.PHONY: setup build publish serve test lint bench i18n-update clean

setup: $(VENV)/.synced

$(UV):
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target .tools/uv-$(UV_VERSION) uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	touch $@

build: setup
	$(VENV)/bin/invoke build

publish: setup
	$(VENV)/bin/invoke build --publish

serve: setup
	$(VENV)/bin/invoke serve --port $(PORT)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: setup lint
	$(VENV)/bin/pytest

bench: setup
	$(VENV)/bin/python benchmarks/run.py

i18n-update: setup
	$(VENV)/bin/invoke i18n-update

clean:
	rm -rf output .output.next .output.previous artefacts .pytest_cache .ruff_cache
