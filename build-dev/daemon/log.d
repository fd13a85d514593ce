build-dev/daemon/log.o: daemon/log.c daemon/journal.h daemon/log.h \
 lib/macro.h
daemon/journal.h:
daemon/log.h:
lib/macro.h:
