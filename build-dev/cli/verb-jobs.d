build-dev/cli/verb-jobs.o: cli/verb-jobs.c cli/cli.h lib/jobfile.h \
 lib/time.h lib/trigger.h lib/cron.h lib/tz.h lib/macro.h lib/proto.h
cli/cli.h:
lib/jobfile.h:
lib/time.h:
lib/trigger.h:
lib/cron.h:
lib/tz.h:
lib/macro.h:
lib/proto.h:
