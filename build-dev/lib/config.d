build-dev/lib/config.o: lib/config.c lib/config.h lib/jobfile.h \
 lib/time.h lib/trigger.h lib/cron.h lib/tz.h lib/jobfile-internal.h \
 lib/macro.h
lib/config.h:
lib/jobfile.h:
lib/time.h:
lib/trigger.h:
lib/cron.h:
lib/tz.h:
lib/jobfile-internal.h:
lib/macro.h:
