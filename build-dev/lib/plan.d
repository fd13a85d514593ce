build-dev/lib/plan.o: lib/plan.c lib/plan.h lib/jobfile.h lib/time.h \
 lib/trigger.h lib/cron.h lib/tz.h
lib/plan.h:
lib/jobfile.h:
lib/time.h:
lib/trigger.h:
lib/cron.h:
lib/tz.h:
