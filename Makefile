# Two set-up commands, both creating and using .venv at the repo root:
#   make demo   build what it needs (a release build of the extension), then run the demo on
#               the built-in synthetic council
#   make test   build what it needs (a dev build, quicker to compile), then run every test:
#               lint, cargo, pytest (API, CLI, README, stubs, the board report in headless
#               Chromium, installed with apt-get when missing), notebooks
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export VIRTUAL_ENV := $(CURDIR)/$(VENV)
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export CARGO_TERM_COLOR ?= never

RUST_SRC := Cargo.toml $(wildcard Cargo.lock) $(wildcard src/*.rs) $(wildcard src/*/*.rs)
PY_LINTED := python tests/python benches

.PHONY: demo test lint test-rust test-python test-notebooks stubtest build release bench fuzz clean browser

demo: $(VENV)/.built-release
	$(VENV)/bin/lac-backlog demo

test: lint test-rust build test-python stubtest test-notebooks

$(VENV)/.deps: requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# maturin develop builds the native module into python/lac_backlog and installs the package in
# editable form, so Python edits need no rebuild. Tests use the dev profile (quick to compile);
# the demo, and the `lac-backlog` a user runs after it, the release profile (2-3 times faster).
# Each stamp says which build is installed; building one removes the other's stamp.
$(VENV)/.built-dev: $(VENV)/.deps $(RUST_SRC) pyproject.toml
	$(VENV)/bin/maturin develop --quiet
	rm -f $(VENV)/.built-release
	touch $@

$(VENV)/.built-release: $(VENV)/.deps $(RUST_SRC) pyproject.toml
	$(VENV)/bin/maturin develop --release --quiet
	rm -f $(VENV)/.built-dev
	touch $@

build: $(VENV)/.built-dev
release: $(VENV)/.built-release

# Formatting and lints, all as errors: rustfmt (.rustfmt.toml), clippy on every target with and
# without the Python bindings, ruff (pyproject.toml) and mypy --strict on the package.
lint: $(VENV)/.deps
	cargo fmt --check
	cargo clippy --quiet --all-targets -- -D warnings
	cargo clippy --quiet --all-targets --features python -- -D warnings
	$(VENV)/bin/ruff check $(PY_LINTED)
	$(VENV)/bin/ruff format --check $(PY_LINTED)
	$(PY) -m mypy --strict python/lac_backlog

# Property and fuzz tests run from a fixed seed here (tests/common: the same cases every run).
test-rust:
	cargo test --quiet

# Exploring: the property and fuzz tests from fresh random seeds with a long budget (a failure
# found goes into the fixed regression cases), then the large-input cases of docs/bad-input.md
# (10 million rows, a 1 GB file) and the 1,000,000-child synthetic council read back whole,
# which take minutes and gigabytes.
FUZZ_CASES ?= 20000
fuzz:
	FUZZ_RANDOM=1 FUZZ_CASES=$(FUZZ_CASES) cargo test --release --test fuzz
	FUZZ_RANDOM=1 cargo test --release --test properties --test triage_properties --test kpi --test simulate --test synth
	cargo test --release --test bad_input --test synth -- --ignored --nocapture

test-python: build browser
	LAC_BACKLOG_BROWSER_TEST=1 $(PY) -m pytest -q

# The board report is checked in a real browser: Debian's chromium, installed when missing
# (needs apt-get and root, as on a fresh Debian machine or CI).
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { echo "installing chromium for the board report's browser test"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
	    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); }

# The stubs against the built binary.
stubtest: build
	$(PY) -m mypy.stubtest lac_backlog._native --concise

test-notebooks: build
	$(PY) -m pytest -q --nbmake -p no:cacheprovider notebooks

# Benchmarks (not part of `make test`): criterion for the Rust core, then lac-backlog against
# the pandas peer end to end, on a release build of the extension. docs/performance.md has
# the figures.
bench: $(VENV)/.built-release
	cargo bench --bench core
	cargo run --release --quiet --example profile_sim -- curve
	$(PY) benches/pandas_peer.py
	$(PY) benches/bench_python.py --sizes 1500,84000 --memory 0
	$(PY) benches/targets.py

clean:
	rm -rf $(VENV) target python/lac_backlog/*.so
