# Two commands on a fresh Debian/Ubuntu machine: `make demo` and `make test`.
# Each sets up what is missing (.venv, the package, a Chromium) and is safe to run again.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ASSETS := harness/report/html/assets
CHARTS := $(ASSETS)/node_modules/echarts/dist/echarts.common.min.js

.PHONY: setup browser assets java shellcheck chromedriver demo test test-fast lint screenshots clean

setup: $(STAMP) browser assets java shellcheck chromedriver

# The report's chart library (ECharts), from the npm registry at the version package-lock.json pins.
assets: $(CHARTS)

$(CHARTS): $(ASSETS)/package.json $(ASSETS)/package-lock.json
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm; \
	  else echo "Install Node.js and npm first: sudo apt-get install -y npm"; exit 2; fi; }
	npm ci --prefix $(ASSETS) --no-audit --no-fund --loglevel=error
	@touch $@

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv --help >/dev/null 2>&1 && $(PYTHON) -c 'import ensurepip' 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; \
	  else echo "Install Python's venv module first: sudo apt-get install -y python3-venv"; exit 2; fi; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

browser: $(STAMP)
	@$(BIN)/python -m harness.collect.browser ensure

# The Allure command-line tool (installed from npm by the Allure tests) runs on Java.
java:
	@command -v java >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless; \
	  else echo "note: no Java; the Allure tests need it: sudo apt-get install -y default-jre-headless"; fi; }

# actionlint runs ShellCheck on the run: scripts of docs/ci/github-actions.yml (tests/test_ci_templates.py).
shellcheck:
	@command -v shellcheck >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck; \
	  else echo "note: no ShellCheck; the CI template tests need it: sudo apt-get install -y shellcheck"; fi; }

# Debian's chromedriver: the Selenium Grid nodes of the grid tests (tests/support/selenium_grid.py) drive Chromium with it.
chromedriver: browser
	@test -x /usr/bin/chromedriver || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-driver; \
	  else echo "note: no chromedriver; the grid tests need it: sudo apt-get install -y chromium-driver"; fi; }

demo: setup
	$(BIN)/harness demo

# Three workers on two cores: the end-to-end tests spend much of their time waiting on servers and pages
# (measured: 8:55 against 10:05 with two, same tests, same machine).
test: setup lint
	$(BIN)/python -m pytest -n 3 --dist loadgroup

# The fast tier: every test that starts no browser, no harness run and no server-backed check (not marked e2e).
test-fast: lint assets shellcheck
	$(BIN)/python -m pytest -m "not e2e" -n 2

screenshots: setup
	$(BIN)/python docs/report_screenshots.py

# ruff; the layers and no cycles (import-linter, contracts in pyproject.toml); the types (mypy over harness/)
lint: $(STAMP)
	$(BIN)/ruff check harness tests bench docs
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

clean:
	rm -rf $(VENV) reports/*/ $(ASSETS)/node_modules
