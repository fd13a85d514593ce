build-dev/lib/varlink.o: lib/varlink.c lib/macro.h lib/varlink.h
lib/macro.h:
lib/varlink.h:
