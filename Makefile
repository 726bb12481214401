# The two commands README.md promises: `make demo` and `make test`.
# Both build .venv from the package registries on first use; later runs reinstall nothing
# unless pyproject.toml changed.

PYTHON ?= python3.11
VENV := .venv
PORT ?= 8000
PORTAL_PORT ?= 8001
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev

.PHONY: demo test serve messages bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(RUNTIME): pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(DEV): pyproject.toml $(RUNTIME)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

demo: $(RUNTIME)
	@bash scripts/system-packages.sh runtime || echo "ducha: PDF documents need the fonts above; everything else works without them"
	$(VENV)/bin/ducha demo --port $(PORT) --portal-port $(PORTAL_PORT)

test: $(DEV)
	bash scripts/test.sh

# Recompiles the .mo catalogues after a .po file was edited (no GNU gettext needed).
messages: $(DEV)
	$(VENV)/bin/python scripts/compile_messages.py

bench: $(DEV)
	$(VENV)/bin/python bench/workdays.py

clean:
	rm -rf $(VENV) var test-artifacts
