build-dev/lib/tz.o: lib/tz.c lib/macro.h lib/tz.h lib/time.h \
 lib/tzposix.h
lib/macro.h:
lib/tz.h:
lib/time.h:
lib/tzposix.h:
