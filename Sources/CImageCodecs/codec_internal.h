#ifndef CODEC_INTERNAL_H
#define CODEC_INTERNAL_H
/* Helpers shared by the JPEG and PNG halves of the shim (not part of the public header). */
#include <stddef.h>
#include <stdint.h>

/* printf-style write of a one-line reason into a caller buffer (always NUL-terminated). */
void ic_set_error(char *error, size_t error_size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* True when width*height is positive and at most max_pixels (max_pixels <= 0 means no limit). */
int ic_within_limit(int64_t width, int64_t height, int64_t max_pixels);

#endif
