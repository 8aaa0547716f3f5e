# CRM Lessons — two commands: `make course` and `make test`. Each sets everything up first.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
BENCH_VENV ?= .venv-bench
PANDAS3_VENV ?= .venv-pandas3

.PHONY: help setup test test-pandas3 course lab nav lock bench clean

help:
	@echo "make course  - set up, execute every lesson and build the HTML course in build/html"
	@echo "make test    - set up and run the whole test suite (same as CI)"
	@echo "make test-pandas3 - unit tests and doctests (no notebooks) with the lock's packages but pandas 3"
	@echo "make lab     - open JupyterLab on the student workspace (lessons + student exercises)"
	@echo "make nav     - regenerate the contents page and navigation cells"
	@echo "make lock    - re-resolve requirements.lock from pyproject.toml"
	@echo "make bench   - run the benchmarks in benchmarks/"

$(PY):
	$(PYTHON) -m venv $(VENV)

# Install the locked versions with uv (from PyPI; seconds instead of pip's minute).
$(STAMP): pyproject.toml requirements.lock | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check "uv>=0.4"
	$(PY) -m uv pip install --quiet --python $(PY) -r requirements.lock -e .
	@touch $(STAMP)

setup: $(STAMP)
	@echo "Environment ready: source $(VENV)/bin/activate"

# The first matplotlib import of a new environment builds its font cache and says so on stderr; build it
# here so that no lesson run sees that message.
test: setup
	$(PY) -c "import matplotlib.pyplot"
	$(PY) -m pytest -n 2 --dist loadfile --durations=30

# The lock pins pandas 2; this second environment takes the same packages with the current pandas 3.
# test-pandas3 runs the unit tests and doctests there; the lesson notebooks and their claims and exercise
# tests, grading, the site and browser tests and the packaging tests run only in `make test`.
$(PANDAS3_VENV)/.installed-stamp: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(PANDAS3_VENV)
	$(PANDAS3_VENV)/bin/python -m pip install --quiet --disable-pip-version-check "uv>=0.4"
	echo "pandas>=3,<4" > $(PANDAS3_VENV)/pandas3.txt
	$(PANDAS3_VENV)/bin/python -m uv pip install --quiet --python $(PANDAS3_VENV)/bin/python -r requirements.lock --override $(PANDAS3_VENV)/pandas3.txt -e .
	@touch $@

# (Of the eight command-line report runs of tests/test_reports.py, two run here: customer-value and the
# satisfaction report on the company's Excel file; the reports' tables are built on pandas 3 by
# tests/test_reports_output.py and their readers by the input tests.
# The claims, exercise and grading tests rerun whole notebooks: they run once, in make test; the helpers
# those notebooks call are covered here by their unit tests and docstring examples. The Spark tests and the
# engine's memory and end-to-end report tests also run once: the engine's pandas side, its conversion of
# the engine's tables to pandas, is covered here by the rest of tests/test_engine.py.)
test-pandas3: $(PANDAS3_VENV)/.installed-stamp
	$(PANDAS3_VENV)/bin/python -c "import pandas; print('pandas', pandas.__version__)"
	$(PANDAS3_VENV)/bin/python -c "import matplotlib.pyplot"
	CRM_LESSONS_REPORT_RUNS=value_simulated,survey \
	  $(PANDAS3_VENV)/bin/python -m pytest -n 2 --dist loadfile -o addopts="" --doctest-modules -p no:cacheprovider \
	  --ignore-glob='*/fixtures/*' --ignore=crm_lessons/reports/notebooks tests crm_lessons \
	  --deselect tests/test_lessons.py::test_lesson_reruns_with_other_parameters \
	  --deselect tests/test_course.py::test_course_builds_to_html \
	  --ignore=tests/test_site.py --ignore=tests/test_browser_lab.py --ignore=tests/test_browser_reports.py \
	  --ignore=tests/test_packaging.py --ignore-glob='tests/test_claims*.py' --ignore-glob='tests/test_exercise*.py' \
	  --ignore-glob='tests/test_grading*.py' --ignore=tests/test_engine_spark.py \
	  --deselect tests/test_engine.py::test_engine_peak_memory_stays_bounded \
	  --deselect tests/test_engine.py::test_the_report_runs_end_to_end_on_the_engine_and_matches_pandas --durations=20

course: setup
	$(PY) -m crm_lessons.cli course build

# JupyterLab on the student workspace build/lab: the lessons and exercises/student only, so no link
# or file dialog reaches the instructor exercises (crm_lessons/course/workspace.py); no terminal.
lab: setup
	$(PY) -m crm_lessons.cli course lab

nav: setup
	$(PY) -m crm_lessons.cli course nav

lock: setup
	$(PY) -m uv pip compile pyproject.toml --extra test --extra book --extra spark --python-version 3.11 --constraint constraints-lock.txt -o requirements.lock

$(BENCH_VENV)/bin/python: benchmarks/requirements-bench.txt requirements.lock
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check "uv>=0.4"
	$(BENCH_VENV)/bin/python -m uv pip install --quiet --python $(BENCH_VENV)/bin/python -r requirements.lock -r benchmarks/requirements-bench.txt -e .
	@touch $@

bench: $(BENCH_VENV)/bin/python
	for f in benchmarks/bench_*.py; do $(BENCH_VENV)/bin/python $$f || exit 1; done

clean:
	rm -rf build
