build-dev/daemon/store.o: daemon/store.c lib/macro.h daemon/store.h \
 lib/runstate.h lib/time.h lib/trigger.h lib/cron.h lib/tz.h
lib/macro.h:
daemon/store.h:
lib/runstate.h:
lib/time.h:
lib/trigger.h:
lib/cron.h:
lib/tz.h:
