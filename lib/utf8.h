/* utf8.h - UTF-8 as RFC 3629 defines it. */
#pragma once

#include <stddef.h>

/* The length (1 to 4) of the valid UTF-8 sequence at @s, which has @n >= 1
 * bytes, or 0 if it is not one: a stray continuation byte, a truncated or
 * overlong sequence, a surrogate, or a code point beyond U+10FFFF. */
size_t utf8_sequence_length(const unsigned char *s, size_t n);

/* Writes @cp (at most U+10FFFF, not a surrogate) as UTF-8 into @out, which
 * has room for 4 bytes; returns the number of bytes. */
size_t utf8_encode(unsigned cp, char *out);
