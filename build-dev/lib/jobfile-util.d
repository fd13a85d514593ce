build-dev/lib/jobfile-util.o: lib/jobfile-util.c lib/jobfile-internal.h \
 lib/jobfile.h lib/time.h lib/trigger.h lib/cron.h lib/tz.h lib/macro.h
lib/jobfile-internal.h:
lib/jobfile.h:
lib/time.h:
lib/trigger.h:
lib/cron.h:
lib/tz.h:
lib/macro.h:
