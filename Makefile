# The two commands a newcomer needs: `make run` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
POSE_VENV := .venv-pose
POSE_STAMP := $(POSE_VENV)/.installed-stamp

.PHONY: install run migrate test test-pose lint format bench screenshot

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/sportscenter migrate
	$(BIN)/sportscenter run

migrate: install
	$(BIN)/sportscenter migrate

test: install
	$(BIN)/pytest

# The optional pose extra (mediapipe) needs numpy<2, so it gets a venv of its own; there all the
# video tests run, the real-MediaPipe ones included (the main venv skips those).
$(POSE_STAMP): pyproject.toml
	$(PYTHON) -m venv $(POSE_VENV)
	$(POSE_VENV)/bin/pip install --quiet --upgrade pip
	$(POSE_VENV)/bin/pip install --quiet -e '.[dev,pose]'
	touch $(POSE_STAMP)

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
