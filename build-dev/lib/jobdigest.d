build-dev/lib/jobdigest.o: lib/jobdigest.c lib/jobfile.h lib/time.h \
 lib/trigger.h lib/cron.h lib/tz.h
lib/jobfile.h:
lib/time.h:
lib/trigger.h:
lib/cron.h:
lib/tz.h:
