build-dev/daemon/runner/spawn.o: daemon/runner/spawn.c lib/macro.h \
 daemon/runner/spawn.h lib/runproto.h lib/time.h
lib/macro.h:
daemon/runner/spawn.h:
lib/runproto.h:
lib/time.h:
