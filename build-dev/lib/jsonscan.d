build-dev/lib/jsonscan.o: lib/jsonscan.c lib/jsonscan.h lib/utf8.h
lib/jsonscan.h:
lib/utf8.h:
