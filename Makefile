# Chuangwen: `make run` serves the demo city at http://127.0.0.1:8000/, `make test` runs the suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Tests run in parallel on every core (xdist); override with `make test JOBS=1`.
JOBS ?= auto
TEST_ENV := CHUANGWEN_VAR_DIR=$(CURDIR)/var/test \
	CHUANGWEN_STATIC_STORAGE=django.contrib.staticfiles.storage.StaticFilesStorage

.PHONY: run test install assets migrate demo serve lock clean check

# The reminder/digest loop runs beside the server as its child: `exec` keeps the shell's pid
# for the server, and the loop exits when that pid stops being its parent (docs/operations.md).
run: install assets migrate demo var/static/.stamp
	@echo "Chuangwen 正在启动: http://$(HOST):$(PORT)/  (演示账号见 var/demo-accounts.txt)"
	$(PY) -m chuangwen run_jobs --loop 900 --parent-pid $$$$ & \
	exec $(PY) -m chuangwen serve --bind $(HOST):$(PORT)

test: install assets
	$(TEST_ENV) $(PY) -m pytest -n $(JOBS) $(PYTEST_ARGS)

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock
	@py=$$(bin/find-python) || exit 1; \
	  if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

# Front-end assets come from the npm registry (package-lock.json) and are served by the app
# itself: city intranets have no CDN.
assets: build/vendor/.stamp

build/vendor/.stamp: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf build/vendor && mkdir -p build/vendor/vendor/bootstrap build/vendor/vendor/htmx
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map build/vendor/vendor/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map build/vendor/vendor/bootstrap/
	cp node_modules/htmx.org/dist/htmx.min.js build/vendor/vendor/htmx/
	@touch $@

var/static/.stamp: build/vendor/.stamp $(shell find chuangwen/static -type f 2>/dev/null)
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@touch $@

migrate: install
	$(PY) manage.py migrate --noinput --verbosity 0

demo: migrate
	$(PY) -m chuangwen seed_calendar
	$(PY) -m chuangwen demo

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

lock:
	$(PY) -m pip install --quiet -r requirements.in
	{ echo '# Exact versions installed by `make`; regenerate with `make lock` after editing requirements.in.'; \
	  $(PY) -m pip freeze --exclude-editable; } > requirements.lock

clean:
	rm -rf $(VENV) node_modules build var/static var/test
