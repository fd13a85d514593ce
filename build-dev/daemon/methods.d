build-dev/daemon/methods.o: daemon/methods.c daemon/control.h \
 daemon/daemon.h lib/config.h lib/jobfile.h lib/time.h lib/trigger.h \
 lib/cron.h lib/tz.h lib/hashmap.h lib/heap.h lib/idmap.h lib/plan.h \
 lib/runproto.h lib/runstate.h lib/varlink.h lib/jsonw.h daemon/jobdir.h \
 daemon/log.h lib/macro.h daemon/loop.h daemon/methods.h lib/proto.h \
 daemon/sched.h daemon/store.h
daemon/control.h:
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
lib/jsonw.h:
daemon/jobdir.h:
daemon/log.h:
lib/macro.h:
daemon/loop.h:
daemon/methods.h:
lib/proto.h:
daemon/sched.h:
daemon/store.h:
