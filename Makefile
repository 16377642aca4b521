# Two commands: `make demo` and `make test`. Everything else is set-up they run for you.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3

.PHONY: demo test setup venv assets check lint serve worker clean

demo: setup
	CHANJIAO_PROFILE=demo $(MANAGE) migrate --noinput
	CHANJIAO_PROFILE=demo $(MANAGE) load_catalogs
	CHANJIAO_PROFILE=demo $(MANAGE) load_crosswalk
	CHANJIAO_PROFILE=demo $(MANAGE) demo
	CHANJIAO_PROFILE=demo $(MANAGE) collectstatic --noinput -v 0
	@$(MAKE) --no-print-directory serve

serve:
	@echo "产教平台: http://$(HOST):$(PORT)  (Ctrl-C 停止)"
	CHANJIAO_PROFILE=demo $(MANAGE) db_worker --queue-name '*' & \
	  worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	  CHANJIAO_PROFILE=demo $(BIN)/gunicorn chanjiao.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile -

test: setup
	CHANJIAO_PROFILE=test $(BIN)/pytest -n $${PYTEST_WORKERS:-2} $(PYTEST_ARGS)

setup: venv assets

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $@

assets: static/vendor/.installed

static/vendor/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf static/vendor && mkdir -p static/vendor/tabler static/vendor/tabler-icons/fonts static/vendor/htmx static/vendor/echarts
	cp node_modules/@tabler/core/dist/css/tabler.min.css node_modules/@tabler/core/dist/js/tabler.min.js static/vendor/tabler/
	cp node_modules/@tabler/icons-webfont/dist/tabler-icons.min.css static/vendor/tabler-icons/
	cp node_modules/@tabler/icons-webfont/dist/fonts/tabler-icons.woff2 node_modules/@tabler/icons-webfont/dist/fonts/tabler-icons.woff node_modules/@tabler/icons-webfont/dist/fonts/tabler-icons.ttf static/vendor/tabler-icons/fonts/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	cp node_modules/echarts/dist/echarts.min.js static/vendor/echarts/
	# Source maps are not shipped; drop their references so the hashed static manifest builds.
	sed -i -e 's#/\*\# sourceMappingURL=[^*]*\*/##' -e 's#^//\# sourceMappingURL=.*$$##' static/vendor/*/*.css static/vendor/*/*.js
	touch $@

check: setup
	$(BIN)/ruff check .
	CHANJIAO_PROFILE=test $(BIN)/mypy  # typecheck: strict on chanjiao/core (pyproject.toml [tool.mypy])
	CHANJIAO_PROFILE=test $(MANAGE) makemigrations --check --dry-run
	CHANJIAO_PROFILE=production SECRET_KEY=ci-$$(head -c 48 /dev/urandom | base64 | tr -dc A-Za-z0-9) \
	  ALLOWED_HOSTS=chanjiao.example.cn DATABASE_URL=sqlite:///:memory: $(MANAGE) check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles var
