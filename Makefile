# Helpt: `make serve` to preview the site, `make test` to run every check.
# Each target sets up what it needs first; `make setup` is fast when nothing changed.

PORT ?= 8000
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/uv-$(UV_VERSION)/bin/uv
VENV := .venv
# The AWS SAM CLI in its own environment: its pinned dependencies differ from uv.lock's (sam-requirements.txt).
SAM_ENV := .tools/sam
# Python comes from the machine; uv must never download one.
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)

# From Debian, when missing. The build's: HarfBuzz's subsetter, without which WeasyPrint subsets the cards' font
# with fontTools, a fallback it deprecates (the cards take about 15 % longer; the build goes on with a note).
# The tests' as well: Chromium for the browser checks, Java for the W3C checker. What was found can be given on
# the command line to see what another machine would do: `make -n serve HARFBUZZ_SUBSET_LIB=` plans a new one's.
HARFBUZZ_SUBSET_LIB := $(wildcard /usr/lib/*/libharfbuzz-subset.so.0)
CHROMIUM_BIN := $(wildcard /usr/bin/chromium)
JAVA_BIN := $(shell command -v java)
BUILD_PACKAGES := $(if $(HARFBUZZ_SUBSET_LIB),,libharfbuzz-subset0)
TEST_PACKAGES := $(strip $(if $(CHROMIUM_BIN),,chromium) $(if $(JAVA_BIN),,default-jre-headless))

# $(call apt_install,PACKAGES,WHY): install as root, with a fresh package list; otherwise say why and how.
apt_install = if [ "$$(id -u)" = 0 ]; then \
		echo "Installing from Debian: $(1)" && \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1); \
	else echo "$(2). Install: sudo apt-get install $(1)"; false; fi

.PHONY: setup system-packages build-packages sam-cli build publish serve test lint bench soak i18n-update bundle deploy clean

setup: $(VENV)/.synced node_modules/.installed system-packages sam-cli

$(UV):
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target .tools/uv-$(UV_VERSION) uv==$(UV_VERSION)

# --compile-bytecode: the libraries' .pyc made once here, not by each process that imports them (and never,
# where PYTHONDONTWRITEBYTECODE is set): WeasyPrint's import alone takes three times as long from source.
$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode
	touch $@

# axe-core and the W3C HTML checker, pinned in package-lock.json. --ignore-scripts: vnu-jar's install
# script would try to download a Java runtime; the machine's own Java is used instead.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --ignore-scripts && touch $@; \
	else echo "npm not found: the accessibility and HTML checks will be skipped (sudo apt-get install npm)"; fi

# Hash-checked install; re-made only when sam-requirements.txt changes. Without PyPI, a developer's machine goes
# on without it (the template checks that need it are skipped); CI must have it.
sam-cli: $(SAM_ENV)/.installed

$(SAM_ENV)/.installed: sam-requirements.txt | $(UV)
	@rm -rf $(SAM_ENV)
	@if $(UV) venv -q $(SAM_ENV) --python $(PYTHON) && \
		$(UV) pip install -q --python $(SAM_ENV)/bin/python --require-hashes -r sam-requirements.txt; then touch $@; \
	elif [ "$$CI" = true ]; then echo "Could not install the SAM CLI (CI=true: it is required)"; exit 1; \
	else echo "Could not install the SAM CLI: the template checks that need it will be skipped."; fi

# What building the site needs (build, serve, publish, bundle, deploy, bench); nothing when it is all there.
# Without it the build still works, only slower: a failed install does not stop the target.
build-packages:
ifneq ($(BUILD_PACKAGES),)
	@$(call apt_install,$(BUILD_PACKAGES),Without $(BUILD_PACKAGES) WeasyPrint falls back to fontTools for the cards (slower, deprecated)) || \
		echo "The build goes on without $(BUILD_PACKAGES), slower."
endif

# What the tests need: the build's packages and the browser checks'.
system-packages:
ifneq ($(strip $(BUILD_PACKAGES) $(TEST_PACKAGES)),)
	@$(call apt_install,$(strip $(BUILD_PACKAGES) $(TEST_PACKAGES)),The build and the browser checks need them) || \
		[ "$$(id -u)" != 0 ]
endif

build: $(VENV)/.synced build-packages
	$(VENV)/bin/invoke build

publish: $(VENV)/.synced build-packages
	$(VENV)/bin/invoke build --publish

serve: $(VENV)/.synced build-packages
	$(VENV)/bin/invoke serve --port $(PORT)

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: setup lint
	$(VENV)/bin/pytest

# The Lambda function's zip (.build/lambda/function.zip), from a publish build of the site (.build/publish/).
bundle: $(VENV)/.synced build-packages
	$(VENV)/bin/invoke bundle

# Deploy to the AWS account of the current credentials (docs/DEPLOY.md). `make deploy DRY_RUN=1` prints the plan.
deploy: $(VENV)/.synced build-packages sam-cli
	$(VENV)/bin/invoke deploy $(if $(DRY_RUN),--dry-run)

# `make bench QUICK=1`: the same pairs, smaller, in under a minute.
bench: $(VENV)/.synced build-packages
	$(VENV)/bin/python benchmarks/run.py $(if $(QUICK),--quick)

# The form handler against moto and SQLite with the store's faults injected, a few minutes (benchmarks/soak.py).
SOAK_SECONDS ?= 90
soak: $(VENV)/.synced build-packages
	$(VENV)/bin/python benchmarks/soak.py --seconds $(SOAK_SECONDS)

i18n-update: $(VENV)/.synced
	$(VENV)/bin/invoke i18n-update

clean:
	rm -rf output .output.next .output.previous artefacts .pytest_cache .ruff_cache node_modules .build
