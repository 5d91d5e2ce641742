# Two commands for a fresh machine with Python >= 3.11 and pip:
#   make run   - set everything up, score the sample data, open the tuning notebook
#                (a working copy, out/tune_model.ipynb, in JupyterLab rooted here)
#   make test  - set everything up, run lint and the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test setup lint bench clean chromium share dashboard

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/workbench validate data/samples/b2b_model.yaml
	$(BIN)/workbench score --model data/samples/b2b_model.yaml \
		--leads data/samples/leads.csv --activities data/samples/activities.csv \
		--out out/scores.csv
	cd out && ../$(BIN)/workbench tune --lab --model ../data/samples/b2b_model.yaml \
		--leads ../data/samples/leads.csv --activities ../data/samples/activities.csv

# The tuning app as a web page for colleagues (Voila, offline template, 127.0.0.1 only;
# open the printed link: it carries the token; workbench tune --help for your own files).
share: $(STAMP)
	$(BIN)/workbench tune --port 8866

# The sales dashboard over the sample (workbench dashboard --help for your own files).
dashboard: $(STAMP)
	$(BIN)/workbench dashboard

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Browser tests drive Debian's chromium (never a downloaded browser).
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium)

test: $(STAMP) lint chromium
	$(BIN)/python -m pytest --hypothesis-profile=ci

bench: $(STAMP) chromium
	$(BIN)/python benchmarks/bench_rescore.py
	$(BIN)/python benchmarks/bench_signals.py
	$(BIN)/python benchmarks/bench_tuning.py
	$(BIN)/python benchmarks/bench_publish.py
	$(BIN)/python benchmarks/bench_dashboard.py --browser
	$(BIN)/python benchmarks/bench_report.py
	$(BIN)/python benchmarks/bench_draft.py
	$(BIN)/python benchmarks/bench_many_criteria.py
	$(BIN)/python benchmarks/bench_draft_quality.py

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache .hypothesis
