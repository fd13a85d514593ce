# schedd - one Makefile for two programs, one static library and the tests.
#
#   make            build/schedd, build/schedctl, build/schedd-runner, build/libschedd.a
#   make check      install missing packages, build, run every test
#   make run        build and start schedd in the foreground on a scratch dir
#   make bench      schedd against APScheduler, cron and the floor (< 10 min);
#                   prints the table and writes bench/results/latest.md
#   make bench-quick the same table with fewer repetitions (< 2 min)
#   make asan       build with ASan+UBSan into build-asan/
#   make valgrind   run the unit tests under valgrind
#   make fuzz       run each libFuzzer target for FUZZ_SECONDS (fuzz/fuzz.mk)
#   make e2e-asan   the e2e suite against the ASan+UBSan build; make soak: the long runs (tests/soak.mk)
#   make install    honours DESTDIR and PREFIX

VERSION   = 0.1.0
BUILD    ?= build
PYTHON   ?= /usr/bin/python3
PREFIX   ?= /usr/local
DESTDIR  ?=
SYSCONFDIR ?= /etc
LIBEXECDIR ?= $(PREFIX)/libexec/schedd
SBINDIR  ?= $(PREFIX)/sbin
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
UNITDIR  ?= $(PREFIX)/lib/systemd/system
USERUNITDIR ?= $(PREFIX)/lib/systemd/user
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions

PKGS      = yaml-0.1 sqlite3 jansson
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
             -DSCHEDD_VERSION='"$(VERSION)"' -DLIBEXECDIR='"$(LIBEXECDIR)"' -iquote lib $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

# --- sources, listed explicitly -------------------------------------------

LIB_SRCS = \
	lib/time.c lib/runstate.c lib/runproto.c lib/tz.c lib/tzposix.c lib/tzload.c \
	lib/cron.c lib/trigger.c lib/heap.c lib/hashmap.c lib/idmap.c lib/plan.c \
	lib/jobfile.c lib/jobfile-job.c lib/jobfile-schedule.c lib/jobfile-util.c lib/jobfile-load.c \
	lib/jobdigest.c lib/config.c lib/varlink.c lib/jsonw.c lib/jsonscan.c lib/utf8.c lib/rcstr.c

SCHEDD_SRCS = \
	daemon/main.c daemon/loop.c daemon/sched.c daemon/run.c daemon/runnerc.c \
	daemon/jobdir.c daemon/creds.c daemon/log.c daemon/store.c \
	daemon/control.c daemon/methods.c daemon/apijob.c daemon/notify.c daemon/journal.c \
	daemon/orphan.c daemon/joborder.c

RUNNER_SRCS = daemon/runner/main.c daemon/runner/spawn.c daemon/runner/run.c daemon/runner/report.c \
              daemon/journal.c

SCHEDCTL_SRCS = \
	cli/main.c cli/util.c cli/client.c cli/output.c cli/verb-status.c cli/verb-list.c \
	cli/verb-run.c cli/verb-jobs.c cli/verb-reload.c cli/verb-watch.c cli/verb-next.c \
	cli/verb-validate.c cli/list-rows.c

UNIT_TESTS = \
	test-time test-tz test-cron test-trigger test-heap test-hashmap test-idmap test-plan \
	test-jobfile test-config test-store test-notify test-joborder test-runproto test-varlink test-jsonw test-jsonscan

# Unit tests of daemon/ modules: test-X also links daemon/X.o.
DAEMON_TESTS = test-store test-notify test-joborder

# --------------------------------------------------------------------------

LIB      = $(BUILD)/libschedd.a
LIB_OBJS = $(LIB_SRCS:%.c=$(BUILD)/%.o)
SCHEDD_OBJS = $(SCHEDD_SRCS:%.c=$(BUILD)/%.o)
SCHEDCTL_OBJS = $(SCHEDCTL_SRCS:%.c=$(BUILD)/%.o)
RUNNER_OBJS = $(RUNNER_SRCS:%.c=$(BUILD)/%.o)
UNIT_BINS = $(UNIT_TESTS:%=$(BUILD)/tests/%)

.PHONY: all deps check unit e2e asan asan-unit valgrind run bench bench-quick bench-bins install uninstall clean \
        man units verify

MAN_PAGES = $(patsubst man/%.scd,$(BUILD)/man/%,$(wildcard man/*.scd))
UNITS = $(BUILD)/systemd/schedd.service $(BUILD)/systemd/schedd-user.service

all: $(BUILD)/schedd $(BUILD)/schedctl $(BUILD)/schedd-runner $(LIB) man units

man: $(MAN_PAGES)
$(BUILD)/man/%: man/%.scd
	@mkdir -p $(@D)
	scdoc < $< > $@

units: $(UNITS)
$(BUILD)/systemd/%.service: systemd/%.service.in
	@mkdir -p $(@D)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' $< > $@

# Every man page renders without a warning; the units pass systemd's own
# check (the binaries are not installed here, so "not executable" is expected).
verify: man units
	@set -e; for m in $(MAN_PAGES); do \
		w=$$(MANWIDTH=80 man --warnings -l $$m 2>&1 >/dev/null); \
		if [ -n "$$w" ]; then echo "$$m: $$w"; exit 1; fi; done; echo "man pages: no warnings"
	@set -e; for u in $(UNITS); do \
		out=$$(systemd-analyze verify --man=no $$u 2>&1 | grep -v 'is not executable' || true); \
		if [ -n "$$out" ]; then echo "$$u: $$out"; exit 1; fi; done; echo "units: systemd-analyze verify ok"

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

# The runner is linked statically (static-pie, so it keeps ASLR): it calls
# libc alone and nothing of it that loads modules at run time (no NSS, no
# iconv, no dlopen; the daemon resolves users), and a static image maps
# only the code it uses, about 1 MiB less resident memory than mapping
# libc.so and ld.so (issue #7). The sanitizers need the dynamic runtime.
ifeq ($(SANITIZE),1)
RUNNER_LINK = $(PKG_LIBS)
else
RUNNER_LINK = -static-pie
endif

$(BUILD)/schedd-runner: $(RUNNER_OBJS) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(RUNNER_LINK)

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DTEST_DATA_DIR='"$(CURDIR)/tests/unit/data"' \
		-o $@ $< $(LIB) $(ALL_LDFLAGS) $(PKG_LIBS) $(TEST_LIBS)

$(DAEMON_TESTS:%=$(BUILD)/tests/%): $(BUILD)/tests/test-%: tests/unit/test-%.c $(BUILD)/daemon/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -iquote daemon -o $@ $< $(BUILD)/daemon/$*.o $(LIB) \
		$(ALL_LDFLAGS) $(PKG_LIBS) $(TEST_LIBS)

deps:
	@tools/install-deps

# check: packages first, then build and every test, each step a fresh make
# so that pkg-config sees the packages installed by the first.
#
# The two end-to-end runs go side by side: they spend most of their time
# waiting for firings (about a tenth of one core each), and one after the
# other they took 10 of make check's 14 minutes. Each run's output is
# printed whole when it ends (--output-sync).
check: deps
	$(MAKE) all
	$(MAKE) verify
	$(MAKE) unit
	$(MAKE) asan
	$(MAKE) asan-unit
	$(MAKE) -j2 --output-sync=target e2e e2e-asan
	$(MAKE) fuzz-check

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

BENCH_BINS = $(BUILD)/bench/bench-lib $(BUILD)/bench/bench-store $(BUILD)/bench/bench-runner \
             $(BUILD)/bench/child $(BUILD)/bench/floor

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(ALL_LDFLAGS) $(PKG_LIBS)

$(BUILD)/bench/bench-store: bench/bench-store.c $(BUILD)/daemon/store.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -iquote daemon -o $@ $< $(BUILD)/daemon/store.o $(LIB) $(ALL_LDFLAGS) $(PKG_LIBS)

# The job every contender starts: static, so that exec is as cheap as it gets.
$(BUILD)/bench/child: bench/child.c
	@mkdir -p $(@D)
	$(CC) -static -O2 -Wall -Wextra -o $@ $<

# The floor: a timerfd and posix_spawn(), nothing else.
$(BUILD)/bench/floor: bench/floor.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -o $@ $<

bench-bins: all $(BENCH_BINS)

# Both print the table and write bench/results/latest.md (bench/suite.py);
# neither fails on a slow result or a failing scenario: it reports.
bench: deps
	@tools/install-bench-deps
	$(MAKE) bench-bins
	-$(PYTHON) bench/suite.py --build $(BUILD) --out bench/results/latest.md

bench-quick: deps
	@tools/install-bench-deps
	$(MAKE) bench-bins
	-$(PYTHON) bench/suite.py --quick --build $(BUILD) --out bench/results/latest.md

# make run: a private schedd in the foreground on a scratch directory,
# with the demo jobs of conf/demo, which fire within seconds.
RUN_DIR = $(CURDIR)/$(BUILD)/run
run: deps
	$(MAKE) all
	@rm -rf $(RUN_DIR) && mkdir -p $(RUN_DIR)/jobs.d
	@cp conf/demo/*.yaml $(RUN_DIR)/jobs.d/
	@echo
	@echo "schedd runs in the foreground on $(RUN_DIR); Ctrl-C stops it."
	@echo "In another terminal:  $(BUILD)/schedctl --socket $(RUN_DIR)/control.sock list"
	@echo
	exec $(BUILD)/schedd --user --config $(RUN_DIR)/schedd.yaml --jobs-dir $(RUN_DIR)/jobs.d \
		--state $(RUN_DIR)/state.db --socket $(RUN_DIR)/control.sock

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR)
	install -m 0755 $(BUILD)/schedd $(DESTDIR)$(SBINDIR)/schedd
	install -m 0755 $(BUILD)/schedctl $(DESTDIR)$(BINDIR)/schedctl
	install -m 0755 $(BUILD)/schedd-runner $(DESTDIR)$(LIBEXECDIR)/schedd-runner
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(USERUNITDIR)
	@# The units name the installed daemon: made here, for this PREFIX.
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' systemd/schedd.service.in > $(DESTDIR)$(UNITDIR)/schedd.service
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' systemd/schedd-user.service.in > $(DESTDIR)$(USERUNITDIR)/schedd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/schedd.service $(DESTDIR)$(USERUNITDIR)/schedd.service
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	@set -e; for m in $(MAN_PAGES); do s=$${m##*.}; install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	install -d $(DESTDIR)$(COMPLETIONDIR)
	@if [ -f completion/schedctl.bash ]; then \
		install -m 0644 completion/schedctl.bash $(DESTDIR)$(COMPLETIONDIR)/schedctl; fi
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/schedd/jobs.d
	@# Never overwrite an administrator's settings; the example job file is
	@# installed disabled (a name schedd does not read).
	@[ -e $(DESTDIR)$(SYSCONFDIR)/schedd/schedd.yaml ] || \
		install -m 0644 conf/schedd.yaml $(DESTDIR)$(SYSCONFDIR)/schedd/schedd.yaml
	install -m 0644 conf/jobs.d/example.yaml $(DESTDIR)$(SYSCONFDIR)/schedd/jobs.d/example.yaml.disabled

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/schedd $(DESTDIR)$(BINDIR)/schedctl $(DESTDIR)$(LIBEXECDIR)/schedd-runner
	-rmdir $(DESTDIR)$(LIBEXECDIR) 2>/dev/null
	rm -f $(DESTDIR)$(UNITDIR)/schedd.service $(DESTDIR)$(USERUNITDIR)/schedd.service
	@for m in $(MAN_PAGES); do s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	rm -f $(DESTDIR)$(COMPLETIONDIR)/schedctl
	rm -f $(DESTDIR)$(SYSCONFDIR)/schedd/jobs.d/example.yaml.disabled
	@echo "Left in place: $(SYSCONFDIR)/schedd (your settings and jobs) and /var/lib/schedd (state)."

clean:
	rm -rf build build-asan build-fuzz

include fuzz/fuzz.mk
include tests/soak.mk

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)
