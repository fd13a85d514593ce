build-dev/lib/time.o: lib/time.c lib/time.h
lib/time.h:
