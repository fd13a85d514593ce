build-dev/lib/jobfile.o: lib/jobfile.c lib/jobfile-internal.h \
 lib/jobfile.h lib/time.h lib/trigger.h lib/cron.h lib/tz.h lib/macro.h \
 lib/rcstr.h
lib/jobfile-internal.h:
lib/jobfile.h:
lib/time.h:
lib/trigger.h:
lib/cron.h:
lib/tz.h:
lib/macro.h:
lib/rcstr.h:
