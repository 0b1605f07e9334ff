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

# From Debian, when missing: Chromium for the browser checks, Java for the W3C checker, and HarfBuzz's
# subsetter, without which WeasyPrint subsets the cards' font in Python (about 10 times slower).
SYSTEM_PACKAGES := $(if $(wildcard /usr/bin/chromium),,chromium) $(if $(shell command -v java),,default-jre-headless) \
	$(if $(wildcard /usr/lib/*/libharfbuzz-subset.so.0),,libharfbuzz-subset0)

.PHONY: setup system-packages build publish serve test lint bench i18n-update clean

setup: $(VENV)/.synced node_modules/.installed system-packages

$(UV):
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target .tools/uv-$(UV_VERSION) uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	touch $@

# axe-core and the W3C HTML checker, pinned in package-lock.json. --ignore-scripts: vnu-jar's install
# script would try to download a Java runtime; the machine's own Java is used instead.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --ignore-scripts && touch $@; \
	else echo "npm not found: the accessibility and HTML checks will be skipped (sudo apt-get install npm)"; fi

system-packages:
ifneq ($(strip $(SYSTEM_PACKAGES)),)
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES); \
	else echo "The browser checks need: $(SYSTEM_PACKAGES). Install: sudo apt-get install $(SYSTEM_PACKAGES)"; fi
endif

build: $(VENV)/.synced
	$(VENV)/bin/invoke build

publish: $(VENV)/.synced
	$(VENV)/bin/invoke build --publish

serve: $(VENV)/.synced
	$(VENV)/bin/invoke serve --port $(PORT)

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: setup lint
	$(VENV)/bin/pytest

bench: $(VENV)/.synced
	$(VENV)/bin/python benchmarks/run.py

i18n-update: $(VENV)/.synced
	$(VENV)/bin/invoke i18n-update

clean:
	rm -rf output .output.next .output.previous artefacts .pytest_cache .ruff_cache node_modules
