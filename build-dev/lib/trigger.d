build-dev/lib/trigger.o: lib/trigger.c lib/trigger.h lib/cron.h \
 lib/time.h lib/tz.h
lib/trigger.h:
lib/cron.h:
lib/time.h:
lib/tz.h:
