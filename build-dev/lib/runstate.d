build-dev/lib/runstate.o: lib/runstate.c lib/runstate.h
lib/runstate.h:
