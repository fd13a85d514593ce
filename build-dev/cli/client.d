build-dev/cli/client.o: cli/client.c cli/cli.h lib/jobfile.h lib/time.h \
 lib/trigger.h lib/cron.h lib/tz.h lib/macro.h lib/proto.h lib/varlink.h
cli/cli.h:
lib/jobfile.h:
lib/time.h:
lib/trigger.h:
lib/cron.h:
lib/tz.h:
lib/macro.h:
lib/proto.h:
lib/varlink.h:
