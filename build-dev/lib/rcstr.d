build-dev/lib/rcstr.o: lib/rcstr.c lib/rcstr.h
lib/rcstr.h:
