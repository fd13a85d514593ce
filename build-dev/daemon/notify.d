build-dev/daemon/notify.o: daemon/notify.c daemon/notify.h lib/macro.h
daemon/notify.h:
lib/macro.h:
