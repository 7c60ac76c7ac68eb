# banhao — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1
# The suite runs on pytest-xdist (each worker its own test database); PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= 2
# `make demo` serves like a deployment (DEBUG off, the platform's own error pages); `make dev` debugs.
DEMO_SETTINGS ?= config.settings.demo

.PHONY: demo test install install-dev migrate serve dev lint e2e-browser clean-db bench system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Runtime dependencies (re-run when pyproject.toml changes).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Debian packages (Chromium, CJK fonts, Pango/HarfBuzz) when missing; instant when present.
system-deps:
	@scripts/system-deps.sh

migrate: install
	$(BIN)/python manage.py migrate --noinput

## make demo [PORT=8000]: install, migrate, load the demo city (keeps existing data), serve on SQLite,
## with one background worker (db_worker: SMS, sweeps) and the scheduler beside the server.
demo: system-deps migrate
	$(BIN)/python manage.py load_demo
	@echo ""
	@echo "平台地址： http://$(HOST):$(PORT)/    管理后台： http://$(HOST):$(PORT)/admin/    按 Ctrl+C 停止"
	@echo "叫号大屏： http://$(HOST):$(PORT)/hall/1/screen/    让大厅动起来（另开终端）： $(BIN)/python manage.py hall_simulate"
	@echo "后台任务：1 个 db_worker（短信在其日志中显示）和 run_scheduler 随服务一起启动、一起停止。"
	@export DJANGO_SETTINGS_MODULE=$(DEMO_SETTINGS); \
	trap 'kill $$worker $$scheduler 2>/dev/null; wait $$worker $$scheduler 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(BIN)/python manage.py db_worker --no-reload --interval 0.5 & worker=$$!; \
	$(BIN)/python manage.py run_scheduler & scheduler=$$!; \
	$(BIN)/granian --interface wsgi --host $(HOST) --port $(PORT) --workers 1 --blocking-threads 4 config.wsgi:application

## make dev: Django's auto-reloading development server.
dev: migrate
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## make test: lint and the whole suite (SQLite, or the database in DATABASE_URL).
test: system-deps install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings.test
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench: install-dev
	$(BIN)/python bench/calendar_bench.py

clean-db:
	rm -f var/banhao.sqlite3 var/banhao.sqlite3-wal var/banhao.sqlite3-shm
