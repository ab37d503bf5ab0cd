# Two set-up commands, both creating and using .venv at the repo root:
#   make demo   build what it needs, then run the demo on the built-in example council
#   make test   build what it needs, then run every test: cargo, pytest (API, CLI, README,
#               stubs), notebooks
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export VIRTUAL_ENV := $(CURDIR)/$(VENV)
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
# A long cargo build should not starve the machine; tests use the dev profile.
export CARGO_TERM_COLOR ?= never

RUST_SRC := Cargo.toml $(wildcard Cargo.lock) $(wildcard src/*.rs) $(wildcard src/*/*.rs)

.PHONY: demo test test-rust test-python test-notebooks stubtest build bench fuzz clean

demo: $(VENV)/.built
	$(VENV)/bin/lac-backlog demo

test: test-rust build test-python stubtest test-notebooks

$(VENV)/.deps: requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# maturin develop builds the native module (dev profile) into python/lac_backlog and installs
# the package in editable form, so Python edits need no rebuild.
$(VENV)/.built: $(VENV)/.deps $(RUST_SRC) pyproject.toml
	$(VENV)/bin/maturin develop --quiet
	touch $@

build: $(VENV)/.built

test-rust:
	cargo test --quiet

# The long fuzzing budget (make test runs 48 cases a reader), then the large-input cases of
# docs/bad-input.md (10 million rows, a 1 GB file), which take minutes and gigabytes.
FUZZ_CASES ?= 20000
fuzz:
	FUZZ_CASES=$(FUZZ_CASES) cargo test --release --test fuzz
	cargo test --release --test bad_input -- --ignored --nocapture

test-python: build
	$(PY) -m pytest -q

# The stubs against the built binary, and the package itself under mypy --strict.
stubtest: build
	$(PY) -m mypy.stubtest lac_backlog._native --concise
	$(PY) -m mypy --strict python/lac_backlog

test-notebooks: build
	$(PY) -m pytest -q --nbmake -p no:cacheprovider notebooks

# Benchmarks (not part of `make test`): criterion for the Rust core, then lac-backlog against
# the pandas peer end to end, on a release build of the extension. docs/performance.md has
# the figures. The next `make test` rebuilds the dev extension.
bench: $(VENV)/.deps
	$(VENV)/bin/maturin develop --release --quiet
	rm -f $(VENV)/.built
	cargo bench --bench core
	cargo run --release --quiet --example profile_sim -- curve
	$(PY) benches/pandas_peer.py
	$(PY) benches/bench_python.py

clean:
	rm -rf $(VENV) target python/lac_backlog/*.so
