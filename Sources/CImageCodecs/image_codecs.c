#include "image_codecs.h"
int ic_api_version(void) { return 1; }
