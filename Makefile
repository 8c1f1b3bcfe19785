# depotline: `make demo` runs the demo, `make test` runs every test. Both set up what they need.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# pjsua2 built from the pjproject source with image_build/pjsua2/config_site.h (docs/sip.md):
# the tests need it, the demo (simulated lines) does not.
PJSUA2 := $(VENV)/.pjsua2
# the same source with 8 call legs, for the tests of a small box (tests/drivers/sip)
PJSUA2_LEGS8 := $(VENV)/pjsua2-legs8/.built

.PHONY: demo test lint unit setup system-deps pjsua2 prompts pi-check clean

demo: $(STAMP)
	$(BIN)/depotline demo

test: $(STAMP) system-deps $(PJSUA2) $(PJSUA2_LEGS8) lint
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

pjsua2: $(PJSUA2)

# Builds once per machine (the wheel is cached outside the checkout), then only installs.
$(PJSUA2): $(STAMP) image_build/pjsua2/build.sh image_build/pjsua2/config_site.h $(wildcard image_build/pjsua2/*.patch)
	.ci/setup-system
	image_build/pjsua2/build.sh $(VENV)
	touch $@

$(PJSUA2_LEGS8): $(STAMP) image_build/pjsua2/build.sh image_build/pjsua2/config_site.h $(wildcard image_build/pjsua2/*.patch)
	.ci/setup-system
	PJSUA2_MAX_CALLS=8 PJSUA2_TARGET=$(VENV)/pjsua2-legs8 image_build/pjsua2/build.sh $(VENV)
	touch $@

prompts: $(STAMP)
	$(BIN)/python -m appliance.prompts.generate

system-deps:
	.ci/setup-system

# The Pi's software path on an emulated arm64 machine (image_build/vm/, docs/box.md "The
# emulated Pi"): prints one JSON object and keeps it in docs/pi-check.json. Not part of `make
# test`: the first run builds for many minutes and every run boots under emulation.
pi-check: $(STAMP)
	image_build/vm/host-packages.sh
	image_build/vm/pi-check.sh --record

clean:
	rm -rf $(VENV) build *.egg-info
