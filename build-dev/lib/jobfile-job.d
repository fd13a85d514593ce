build-dev/lib/jobfile-job.o: lib/jobfile-job.c lib/jobfile-internal.h \
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
