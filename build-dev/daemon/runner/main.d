build-dev/daemon/runner/main.o: daemon/runner/main.c \
 daemon/runner/../journal.h daemon/runner/runner.h lib/macro.h \
 lib/runproto.h lib/time.h daemon/runner/spawn.h
daemon/runner/../journal.h:
daemon/runner/runner.h:
lib/macro.h:
lib/runproto.h:
lib/time.h:
daemon/runner/spawn.h:
