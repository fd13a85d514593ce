build-dev/daemon/run.o: daemon/run.c daemon/log.h lib/macro.h \
 daemon/methods.h daemon/daemon.h lib/config.h lib/jobfile.h lib/time.h \
 lib/trigger.h lib/cron.h lib/tz.h lib/hashmap.h lib/heap.h lib/idmap.h \
 lib/plan.h lib/runproto.h lib/runstate.h lib/varlink.h daemon/orphan.h \
 daemon/runnerc.h daemon/sched.h daemon/store.h
daemon/log.h:
lib/macro.h:
daemon/methods.h:
daemon/daemon.h:
lib/config.h:
lib/jobfile.h:
lib/time.h:
lib/trigger.h:
lib/cron.h:
lib/tz.h:
lib/hashmap.h:
lib/heap.h:
lib/idmap.h:
lib/plan.h:
lib/runproto.h:
lib/runstate.h:
lib/varlink.h:
daemon/orphan.h:
daemon/runnerc.h:
daemon/sched.h:
daemon/store.h:
