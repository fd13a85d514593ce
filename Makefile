# schedd - one Makefile for two programs, one static library and the tests.
#
#   make            build/schedd, build/schedctl, build/libschedd.a
#   make check      install missing packages, build, run every test
#   make run        build and start schedd in the foreground on a scratch dir
#   make bench      print the performance figures
#   make asan       build with ASan+UBSan into build-asan/
#   make valgrind   run the unit tests under valgrind
#   make install    honours DESTDIR and PREFIX

VERSION   = 0.1.0
BUILD    ?= build
PYTHON   ?= /usr/bin/python3
PREFIX   ?= /usr/local
DESTDIR  ?=

PKGS      = libsystemd yaml-0.1 sqlite3 jansson
# Recursive (=) so pkg-config runs when a recipe needs it, after the
# packages may have been installed by the same make invocation.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS)) -lm
TEST_LIBS  = $(shell pkg-config --libs cmocka)

WARN      = -Wall -Wextra -Wshadow -Wno-missing-field-initializers -Wstrict-prototypes \
            -Wformat=2 -Wimplicit-fallthrough
ifeq ($(CI),true)
WARN     += -Werror
endif
ifeq ($(WERROR),1)
WARN     += -Werror
endif
ifeq ($(SANITIZE),1)
SANFLAGS  = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(CFLAGS) $(WARN) $(SANFLAGS) -D_GNU_SOURCE \
             -DSCHEDD_VERSION='"$(VERSION)"' -iquote lib $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

# --- sources, listed explicitly -------------------------------------------

LIB_SRCS = \
	lib/time.c lib/runstate.c lib/tz.c lib/tzposix.c lib/tzload.c \
	lib/cron.c lib/trigger.c lib/heap.c lib/hashmap.c lib/plan.c \
	lib/jobfile.c lib/jobfile-job.c lib/jobfile-schedule.c lib/jobfile-util.c \
	lib/jobdigest.c lib/config.c lib/varlink.c

SCHEDD_SRCS = daemon/main.c

SCHEDCTL_SRCS = cli/main.c cli/util.c cli/verb-next.c cli/verb-validate.c

UNIT_TESTS = \
	test-time test-tz test-cron test-trigger test-heap test-hashmap test-plan \
	test-jobfile test-config test-varlink

# --------------------------------------------------------------------------

LIB      = $(BUILD)/libschedd.a
LIB_OBJS = $(LIB_SRCS:%.c=$(BUILD)/%.o)
SCHEDD_OBJS = $(SCHEDD_SRCS:%.c=$(BUILD)/%.o)
SCHEDCTL_OBJS = $(SCHEDCTL_SRCS:%.c=$(BUILD)/%.o)
UNIT_BINS = $(UNIT_TESTS:%=$(BUILD)/tests/%)

.PHONY: all deps check unit e2e asan asan-unit valgrind run bench install clean

all: $(BUILD)/schedd $(BUILD)/schedctl $(LIB)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/schedd: $(SCHEDD_OBJS) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/schedctl: $(SCHEDCTL_OBJS) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DTEST_DATA_DIR='"$(CURDIR)/tests/unit/data"' \
		-o $@ $< $(LIB) $(ALL_LDFLAGS) $(PKG_LIBS) $(TEST_LIBS)

deps:
	@tools/install-deps

# check: packages first, then build and every test, each step a fresh make
# so that pkg-config sees the packages installed by the first.
check: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) e2e
	$(MAKE) asan-unit

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

e2e: all
	SCHEDD_BUILD=$(CURDIR)/$(BUILD) $(PYTHON) -m pytest -q tests/e2e

asan:
	$(MAKE) BUILD=build-asan SANITIZE=1 all

asan-unit:
	UBSAN_OPTIONS=print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
		$(MAKE) BUILD=build-asan SANITIZE=1 unit

valgrind: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do \
		valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect $$t; done

BENCH_BINS = $(BUILD)/bench/bench-lib

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(ALL_LDFLAGS) $(PKG_LIBS)

# Prints figures; never fails on a slow result.
bench: deps
	$(MAKE) $(BENCH_BINS)
	@echo "## schedd benchmark ($$(nproc) cores, $$(uname -m), $$(date -u +%Y-%m-%d))"
	@$(BUILD)/bench/bench-lib

run: deps
	@echo "make run: the daemon is not written yet (issue 3); try build/schedctl next --cron '*/5 * * * *'"
	$(MAKE) all

clean:
	rm -rf build build-asan

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
