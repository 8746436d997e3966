# The two commands a newcomer needs: `make run` and `make test`. Both build .venv first, from
# the lock files in requirements/ (every package pinned with its hashes): `make run` installs
# what running needs, `make test` adds the dev tools. `make lock` regenerates the locks after a
# change to pyproject.toml's dependencies (`make lock LOCK_FLAGS=--upgrade` moves every pin on).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-stamp
DEV_STAMP := $(VENV)/.dev-stamp
POSE_VENV := .venv-pose
POSE_STAMP := $(POSE_VENV)/.installed-stamp
UV_VERSION := 0.13.9
LOCK_FLAGS ?=
UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command 'make lock' $(LOCK_FLAGS) pyproject.toml requirements/build.in

# Install a lock into a venv, then our own package without touching its dependencies; pip check
# fails when pyproject.toml needs a package the lock lacks (run `make lock`).
define install_locked
	test -x $(1)/bin/python || $(PYTHON) -m venv $(1)
	$(1)/bin/pip install --quiet --require-hashes -r $(2)
	$(1)/bin/pip install --quiet --no-deps --no-build-isolation -e .
	$(1)/bin/pip check || { echo "make: $(2) is behind pyproject.toml: run make lock" >&2; exit 1; }
	touch $(3)
endef

.PHONY: install install-runtime run migrate test test-pose lint format bench screenshot lock

$(RUNTIME_STAMP): pyproject.toml requirements/runtime.lock
	$(call install_locked,$(VENV),requirements/runtime.lock,$@)

$(DEV_STAMP): pyproject.toml requirements/dev.lock
	$(call install_locked,$(VENV),requirements/dev.lock,$@)

# What running needs (no pytest, moto, playwright).
install-runtime: $(RUNTIME_STAMP)

# Running plus the dev tools: what `make test`, `make lint` and CI use.
install: $(DEV_STAMP)

run: install-runtime
	$(BIN)/sportscenter migrate
	$(BIN)/sportscenter run

migrate: install-runtime
	$(BIN)/sportscenter migrate

test: install
	$(BIN)/pytest

# The optional pose extra (mediapipe) needs numpy<2, so it gets a venv of its own; there all the
# video tests run, the real-MediaPipe ones included (the main venv skips those). Its locks:
# requirements/pose.lock (running, the image with EXTRAS=pose) and pose-dev.lock (its tests).
$(POSE_STAMP): pyproject.toml requirements/pose-dev.lock
	$(call install_locked,$(POSE_VENV),requirements/pose-dev.lock,$@)

test-pose: $(POSE_STAMP)
	$(POSE_VENV)/bin/pytest tests/domain/videos

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python benchmarks/bookings.py
	$(BIN)/python benchmarks/updates.py
	$(BIN)/python benchmarks/booking.py
	$(BIN)/python benchmarks/metrics.py
	$(BIN)/python benchmarks/video.py
	$(BIN)/python benchmarks/replicas.py

# The web chat with a short conversation, as a PNG (needs Debian's chromium).
screenshot: install
	$(BIN)/python scripts/screenshot.py --out var/screenshots/webchat.png

# Pin every dependency with its hashes. The dev and pose-dev locks are constrained by the runtime
# and pose locks, so the tests run the very versions that ship. uv keeps the pins it finds in
# the existing files unless LOCK_FLAGS=--upgrade.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(UV_COMPILE) -o requirements/runtime.lock
	$(UV_COMPILE) --extra dev -c requirements/runtime.lock -o requirements/dev.lock
	$(UV_COMPILE) --extra pose -o requirements/pose.lock
	$(UV_COMPILE) --extra pose --extra dev -c requirements/pose.lock -o requirements/pose-dev.lock
