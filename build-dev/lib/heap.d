build-dev/lib/heap.o: lib/heap.c lib/heap.h lib/time.h
lib/heap.h:
lib/time.h:
