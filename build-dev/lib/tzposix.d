build-dev/lib/tzposix.o: lib/tzposix.c lib/time.h lib/tzposix.h
lib/time.h:
lib/tzposix.h:
