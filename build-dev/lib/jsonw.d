build-dev/lib/jsonw.o: lib/jsonw.c lib/jsonw.h lib/utf8.h
lib/jsonw.h:
lib/utf8.h:
