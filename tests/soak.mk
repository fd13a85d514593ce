# soak.mk - the long and the sanitized runs of the tests (included by the
# Makefile; issue 6).
#
#   make e2e-asan   the end-to-end suite against an ASan+UBSan build
#                   (build-asan/); any report makes the daemon fail
#   make soak       200 kills in the crash test, e2e-asan, and the fuzz
#                   targets for FUZZ_SECONDS each

SOAK_KILLS ?= 200
ASAN_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
           UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

.PHONY: e2e-asan soak

e2e-asan:
	$(MAKE) BUILD=build-asan SANITIZE=1 all
	$(ASAN_ENV) SCHEDD_SANITIZED=1 SCHEDD_BUILD=$(CURDIR)/build-asan $(PYTHON) -m pytest -q tests/e2e

soak: deps
	$(MAKE) all
	SCHEDD_CRASH_KILLS=$(SOAK_KILLS) SCHEDD_BUILD=$(CURDIR)/$(BUILD) \
		$(PYTHON) -m pytest -q -s tests/e2e/test_reliability_crash.py
	$(MAKE) e2e-asan
	$(MAKE) fuzz
