/* Shared pieces of the codec shim: version, freeing, error text. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "image_codecs.h"
#include "codec_internal.h"

int ic_api_version(void) { return 2; }

void ic_free(void *pointer) { free(pointer); }

void ic_set_error(char *error, size_t error_size, const char *format, ...) {
    if (error == NULL || error_size == 0) return;
    va_list args;
    va_start(args, format);
    vsnprintf(error, error_size, format, args);
    va_end(args);
    /* One line only: libjpeg/libpng messages never contain newlines, but be sure. */
    for (char *p = error; *p; p++) if (*p == '\n' || *p == '\r') *p = ' ';
}

int ic_within_limit(int64_t width, int64_t height, int64_t max_pixels) {
    if (width <= 0 || height <= 0) return 0;
    if (max_pixels <= 0) return 1;
    return width * height <= max_pixels;
}
