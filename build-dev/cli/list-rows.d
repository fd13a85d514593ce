build-dev/cli/list-rows.o: cli/list-rows.c cli/cli.h lib/jobfile.h \
 lib/time.h lib/trigger.h lib/cron.h lib/tz.h lib/macro.h lib/jsonscan.h
cli/cli.h:
lib/jobfile.h:
lib/time.h:
lib/trigger.h:
lib/cron.h:
lib/tz.h:
lib/macro.h:
lib/jsonscan.h:
