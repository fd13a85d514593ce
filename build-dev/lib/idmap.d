build-dev/lib/idmap.o: lib/idmap.c lib/idmap.h
lib/idmap.h:
