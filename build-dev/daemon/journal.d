build-dev/daemon/journal.o: daemon/journal.c daemon/journal.h lib/macro.h
daemon/journal.h:
lib/macro.h:
