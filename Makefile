# The README's two commands: `make run` (the whole pipeline, `snakemake --cores 4`) and
# `make test` (the test suite). Both first create the Python environment in .venv, once,
# from the pins in pyproject.toml.
VENV := .venv
BIN := $(VENV)/bin
CORES ?= 4

.PHONY: run test report report-check bench readme

$(BIN)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/snakemake --cores $(CORES)

test: $(BIN)/.installed
	$(BIN)/pytest

report: $(BIN)/.installed
	$(BIN)/snakemake --report results/report.html

# open the report in headless Chromium: every category and table must render; saves a screenshot
report-check: report
	$(BIN)/python -m nnrec.report_check results/report.html results/report_screenshot.png

bench: $(BIN)/.installed
	$(BIN)/snakemake --cores $(CORES) bench

# the README's results table, from the summary of the last run (nnrec.readme)
readme: $(BIN)/.installed results/summary.csv
	$(BIN)/python -m nnrec.readme results/summary.csv README.md
