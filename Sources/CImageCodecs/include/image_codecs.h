#ifndef IMAGE_CODECS_H
#define IMAGE_CODECS_H
#include <stddef.h>
#include <stdint.h>
/* Version of the codec shim's C API (bumped when a function signature changes). */
int ic_api_version(void);
#endif
