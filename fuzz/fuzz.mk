# fuzz.mk - libFuzzer targets (included by the Makefile; STYLE.md 11).
#
#   make fuzz            each target for FUZZ_SECONDS (default 300)
#   make fuzz-check      each target for 20 s; part of make check
#   make fuzz-build      only build them, into build-fuzz/
#
# The library is compiled again by clang with -fsanitize=fuzzer-no-link
# plus ASan and UBSan; each target links it with the fuzzer's main. The
# seeds in fuzz/corpus/<target>/ are read, never written: new inputs go to
# build-fuzz/corpus/<target>/, crashes to build-fuzz/crashes/. A crash
# fails the run; copy its input into fuzz/corpus/<target>/ with the fix.

FUZZ_BUILD   = build-fuzz
FUZZ_CC     ?= clang
FUZZ_SAN     = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  = -std=gnu11 -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link -D_GNU_SOURCE \
               -DSCHEDD_VERSION='"$(VERSION)"' -iquote lib $(PKG_CFLAGS)
FUZZ_TARGETS = fuzz-cron fuzz-jobfile fuzz-varlink fuzz-runproto fuzz-jsonscan
FUZZ_BINS    = $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/%)
FUZZ_LIB_OBJS = $(LIB_SRCS:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_SECONDS ?= 300
FUZZ_JOBS    ?= 1

.PHONY: fuzz fuzz-check fuzz-build

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/libschedd-fuzz.a: $(FUZZ_LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz-%: fuzz/fuzz-%.c $(FUZZ_BUILD)/libschedd-fuzz.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_BUILD)/libschedd-fuzz.a $(PKG_LIBS)

fuzz-build: $(FUZZ_BINS)

# One target after another; each prints its executions on the last line
# ("Done N runs in S second(s)"). UBSan findings abort, so they count as crashes.
define fuzz_run
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/crashes; \
		echo "== $$t for $(1) s"; \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
		$(FUZZ_BUILD)/$$t -max_total_time=$(1) -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
			-print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/crashes/$$t- \
			$(FUZZ_BUILD)/corpus/$$t fuzz/corpus/$$t > $(FUZZ_BUILD)/$$t.log 2>&1 || \
			{ tail -60 $(FUZZ_BUILD)/$$t.log; echo "$$t: crash, see $(FUZZ_BUILD)/crashes/"; exit 1; }; \
		grep -E '^(Done|stat::number_of_executed_units)' $(FUZZ_BUILD)/$$t.log; \
	done
endef

fuzz-check: deps
	$(MAKE) fuzz-build
	$(call fuzz_run,20)

fuzz: deps
	$(MAKE) fuzz-build
	$(call fuzz_run,$(FUZZ_SECONDS))
