build-dev/lib/hashmap.o: lib/hashmap.c lib/hashmap.h
lib/hashmap.h:
