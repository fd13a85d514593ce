build-dev/lib/cron.o: lib/cron.c lib/cron.h lib/time.h lib/tz.h \
 lib/macro.h
lib/cron.h:
lib/time.h:
lib/tz.h:
lib/macro.h:
