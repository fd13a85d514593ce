build-dev/lib/jobfile-load.o: lib/jobfile-load.c lib/jobfile-internal.h \
 lib/jobfile.h lib/time.h lib/trigger.h lib/cron.h lib/tz.h lib/macro.h
lib/jobfile-internal.h:
lib/jobfile.h:
lib/time.h:
lib/trigger.h:
lib/cron.h:
lib/tz.h:
lib/macro.h:
