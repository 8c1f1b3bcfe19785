# depotline: `make demo` runs the demo, `make test` runs every test. Both set up what they need.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint unit setup system-deps prompts clean

demo: $(STAMP)
	$(BIN)/depotline demo

test: $(STAMP) system-deps lint
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/pytest tests/unit

setup: $(STAMP)

$(STAMP): pyproject.toml .ci/setup-python
	.ci/setup-python $(VENV)
	touch $@

prompts: $(STAMP)
	$(BIN)/python -m appliance.prompts.generate

system-deps:
	.ci/setup-system

clean:
	rm -rf $(VENV) build *.egg-info
