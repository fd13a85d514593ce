build-dev/daemon/main.o: daemon/main.c daemon/creds.h daemon/daemon.h \
 lib/config.h lib/jobfile.h lib/time.h lib/trigger.h lib/cron.h lib/tz.h \
 lib/hashmap.h lib/heap.h lib/idmap.h lib/plan.h lib/runproto.h \
 lib/runstate.h lib/varlink.h daemon/jobdir.h daemon/log.h lib/macro.h \
 daemon/loop.h daemon/control.h daemon/methods.h daemon/notify.h \
 daemon/runnerc.h daemon/sched.h daemon/store.h
daemon/creds.h:
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
daemon/jobdir.h:
daemon/log.h:
lib/macro.h:
daemon/loop.h:
daemon/control.h:
daemon/methods.h:
daemon/notify.h:
daemon/runnerc.h:
daemon/sched.h:
daemon/store.h:
