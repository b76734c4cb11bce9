# The two commands of the README, and the few helpers around them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# axe-core (accessibility checks in the browser tests), from npm, kept in the venv.
AXE_VERSION := 4.14.1
AXE := $(VENV)/npm/axe-core-$(AXE_VERSION)/axe.min.js

.PHONY: run test sysdeps golden benchmarks lint clean vendor

run: $(VENV)/.installed
	$(BIN)/migkg demo
	$(BIN)/migkg serve --host $(HOST) --port $(PORT)

test: $(VENV)/.dev-installed sysdeps $(AXE)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(VENV)/.installed $@

$(AXE): | sysdeps
	mkdir -p $(VENV)/npm
	tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && \
	tar xzf axe-core-$(AXE_VERSION).tgz && cd - >/dev/null && \
	mkdir -p $(dir $(AXE)) && cp $$tmp/package/axe.min.js $$tmp/package/LICENSE $(dir $(AXE)) && rm -rf $$tmp

# System packages the tests need: Chromium for browser tests, poppler for PDF text,
# LibreOffice Calc to open the questionnaire workbooks in a real spreadsheet program,
# Virtuoso 7 as the second real SPARQL engine, npm for axe-core.
SYSPKGS := chromium poppler-utils libreoffice-calc-nogui virtuoso-opensource-7-bin npm
sysdeps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-calc-nogui"; \
	command -v virtuoso-t >/dev/null 2>&1 || missing="$$missing virtuoso-opensource-7-bin"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# Regenerate golden files (queries, guides, exports); review the diff before committing.
golden: $(VENV)/.dev-installed
	MIGKG_REGENERATE_GOLDEN=1 $(BIN)/python -m pytest -q -m "not browser" tests

# One summary table (path, figure, target, ratio to the raw engine), under 10 minutes; each
# script in benchmarks/ also runs on its own with more detail.
benchmarks: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/summary.py

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check kg webapp tests benchmarks

# Refresh the vendored vis-network (kg/network/vendor/vis-network/, committed; see its README).
VIS_NETWORK_VERSION ?= 10.1.5
VIS_DIR := kg/network/vendor/vis-network
vendor:
	tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent vis-network@$(VIS_NETWORK_VERSION) >/dev/null && \
	tar xzf vis-network-$(VIS_NETWORK_VERSION).tgz && cd - >/dev/null && \
	cp $$tmp/package/standalone/umd/vis-network.min.js $$tmp/package/styles/vis-network.min.css \
	   $$tmp/package/LICENSE-MIT $$tmp/package/LICENSE-APACHE-2.0 $(VIS_DIR)/ && \
	rm -rf $$tmp && (cd $(VIS_DIR) && sha256sum vis-network.min.js vis-network.min.css)

clean:
	rm -rf $(VENV) var build dist *.egg-info
