build-dev/daemon/runner/report.o: daemon/runner/report.c \
 daemon/runner/runner.h lib/macro.h lib/runproto.h lib/time.h
daemon/runner/runner.h:
lib/macro.h:
lib/runproto.h:
lib/time.h:
