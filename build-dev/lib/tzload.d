build-dev/lib/tzload.o: lib/tzload.c lib/macro.h lib/tz.h lib/time.h
lib/macro.h:
lib/tz.h:
lib/time.h:
