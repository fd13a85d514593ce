build-dev/cli/verb-next.o: cli/verb-next.c cli/cli.h lib/jobfile.h \
 lib/time.h lib/trigger.h lib/cron.h lib/tz.h lib/macro.h
cli/cli.h:
lib/jobfile.h:
lib/time.h:
lib/trigger.h:
lib/cron.h:
lib/tz.h:
lib/macro.h:
