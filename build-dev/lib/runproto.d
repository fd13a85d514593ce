build-dev/lib/runproto.o: lib/runproto.c lib/macro.h lib/runproto.h \
 lib/time.h
lib/macro.h:
lib/runproto.h:
lib/time.h:
