build-dev/daemon/runner/run.o: daemon/runner/run.c \
 daemon/runner/../journal.h daemon/runner/runner.h lib/macro.h \
 lib/runproto.h lib/time.h daemon/runner/spawn.h
daemon/runner/../journal.h:
daemon/runner/runner.h:
lib/macro.h:
lib/runproto.h:
lib/time.h:
daemon/runner/spawn.h:
