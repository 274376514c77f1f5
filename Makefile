# Negahban. `make serve` and `make test` each do all their own set-up on a fresh machine.
SHELL := /bin/bash
PYTHON_VERSION := 3.12
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: serve test lint typecheck unit bench clean train fuzz

# A Python 3.12 interpreter: pyenv's (selected by .python-version) or any python3.12 on PATH.
$(PY):
	@py=$$(command -v python$(PYTHON_VERSION) || true); \
	if [ -z "$$py" ] && command -v pyenv >/dev/null; then py=$$(pyenv which python$(PYTHON_VERSION) 2>/dev/null || true); fi; \
	if [ -z "$$py" ]; then py=python3; fi; \
	$$py -c 'import sys; assert sys.version_info >= (3, 12), "Python >= 3.12 is needed (hazm >= 0.12)"' && \
	$$py -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

serve: $(STAMP)
	$(PY) -m moderation serve

lint: $(STAMP)
	$(VENV)/bin/ruff check moderation tests benchmarks scripts

typecheck: $(STAMP)
	$(VENV)/bin/mypy

unit: $(STAMP)
	$(VENV)/bin/pytest -q

test: lint typecheck unit

# Long fuzzing run: 10000 generated examples per property (the default test run uses 100).
fuzz: $(STAMP)
	MODERATION_FUZZ_EXAMPLES=10000 $(VENV)/bin/pytest -q tests/test_fuzz.py

# Speed and memory: the text pipeline and classifier on one core, the write path, then the HTTP load benchmark
# (service next to a bare aiohttp echo, same run); the load report goes to docs/benchmarks.md.
bench: $(STAMP)
	$(PY) benchmarks/text_pipeline.py | tee /tmp/negahban-bench-text.md
	$(PY) benchmarks/write_path.py | tee /tmp/negahban-bench-write.md
	$(PY) benchmarks/load.py --out /tmp/negahban-bench-load.md
	$(PY) benchmarks/report.py /tmp/negahban-bench-text.md /tmp/negahban-bench-write.md \
	  /tmp/negahban-bench-load.md docs/benchmarks.md

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
