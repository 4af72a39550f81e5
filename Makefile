# `make demo`: ingest the demo corpus, draft a course, serve the app (offline defaults).
# `make test`: the whole test suite twice: on SQLite + embedded Chroma, then on PostgreSQL + a
# Chroma server (both real, started by the tests; llama.cpp server, Chromium).
# Both create .venv here when missing and install what they need.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
APP    := $(VENV)/.installed-app
TEST   := $(VENV)/.installed-test
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test bench lint clean-demo browser postgres nginx

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(APP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

# llama.cpp must be built without -march=native: a native build segfaults on these machines.
$(TEST): pyproject.toml $(APP)
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/pip install -q -e '.[test]' 'llama-cpp-python[server]>=0.3'
	touch $@

# Chromium and CJK fonts for the browser tests (without the fonts Chinese renders as boxes).
browser:
	@command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || \
	  ( $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium fonts-noto-cjk )

# PostgreSQL for the server back end of the tests (they start their own cluster on loopback).
postgres:
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  ( $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q postgresql )

# nginx for the cluster test and example (deploy/cluster.py); run in the foreground from a temp
# folder on loopback ports; the Debian service the package may start on port 80 is not used.
nginx:
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || \
	  ( $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q nginx )

demo: $(APP)
	$(BIN)/python -m demo.run

# Lint and types first: a minute, and a failure there is cheaper to read than one in the suite.
# Then the suite on the default stores, then on PostgreSQL + a Chroma server (tests/backends.py).
test: $(TEST) browser postgres nginx
	$(BIN)/ruff check .
	$(BIN)/mypy
	SHIFU_TEST_BACKEND=local $(BIN)/python -m pytest
	SHIFU_TEST_BACKEND=server $(BIN)/python -m pytest

bench: $(APP)
	$(BIN)/python -m bench.run

lint: $(TEST)
	$(BIN)/ruff check .
	$(BIN)/mypy
