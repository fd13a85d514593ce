build-dev/cli/verb-status.o: cli/verb-status.c cli/cli.h lib/jobfile.h \
 lib/time.h lib/trigger.h lib/cron.h lib/tz.h lib/macro.h lib/proto.h
cli/cli.h:
lib/jobfile.h:
lib/time.h:
lib/trigger.h:
lib/cron.h:
lib/tz.h:
lib/macro.h:
lib/proto.h:
