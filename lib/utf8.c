/* utf8.c - UTF-8 sequences: checked and written (utf8.h). */
#include <stdint.h>

#include "utf8.h"

size_t
utf8_sequence_length(const unsigned char *s, size_t n)
{
        size_t len;
        uint32_t cp;

        if (s[0] < 0x80)
                return 1;
        if (s[0] >= 0xc2 && s[0] <= 0xdf)
                len = 2, cp = s[0] & 0x1f;
        else if (s[0] >= 0xe0 && s[0] <= 0xef)
                len = 3, cp = s[0] & 0x0f;
        else if (s[0] >= 0xf0 && s[0] <= 0xf4)
                len = 4, cp = s[0] & 0x07;
        else
                return 0;
        if (len > n)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = cp << 6 | (s[i] & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return len;
}

size_t
utf8_encode(unsigned cp, char *out)
{
        unsigned char *o = (unsigned char *) out;

        if (cp < 0x80) {
                o[0] = (unsigned char) cp;
                return 1;
        }
        if (cp < 0x800) {
                o[0] = (unsigned char) (0xc0 | cp >> 6);
                o[1] = (unsigned char) (0x80 | (cp & 0x3f));
                return 2;
        }
        if (cp < 0x10000) {
                o[0] = (unsigned char) (0xe0 | cp >> 12);
                o[1] = (unsigned char) (0x80 | (cp >> 6 & 0x3f));
                o[2] = (unsigned char) (0x80 | (cp & 0x3f));
                return 3;
        }
        o[0] = (unsigned char) (0xf0 | cp >> 18);
        o[1] = (unsigned char) (0x80 | (cp >> 12 & 0x3f));
        o[2] = (unsigned char) (0x80 | (cp >> 6 & 0x3f));
        o[3] = (unsigned char) (0x80 | (cp & 0x3f));
        return 4;
}
