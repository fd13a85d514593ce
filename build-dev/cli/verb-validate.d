build-dev/cli/verb-validate.o: cli/verb-validate.c cli/cli.h \
 lib/jobfile.h lib/time.h lib/trigger.h lib/cron.h lib/tz.h lib/macro.h
cli/cli.h:
lib/jobfile.h:
lib/time.h:
lib/trigger.h:
lib/cron.h:
lib/tz.h:
lib/macro.h:
