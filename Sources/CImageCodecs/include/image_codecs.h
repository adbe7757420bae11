#ifndef IMAGE_CODECS_H
#define IMAGE_CODECS_H
/*
 * JPEG (libjpeg) and PNG (libpng) decode/encode for the ImageData module.
 *
 * Every libjpeg/libpng error is caught here with setjmp/longjmp, so a bad file never unwinds through
 * Swift frames: functions return an ic_status and write a one-line reason into `error`.
 * Decoded images are 8-bit, interleaved, channels 1 (gray) or 3 (RGB); free `pixels` with ic_free.
 * Declared dimensions are checked against `max_pixels` before any pixel buffer is allocated.
 */
#include <stddef.h>
#include <stdint.h>

/* Version of the codec shim's C API (bumped when a function signature changes). */
int ic_api_version(void);

typedef enum ic_status {
    IC_OK = 0,
    IC_CORRUPT = 1,      /* malformed or truncated data */
    IC_TOO_LARGE = 2,    /* declared width*height above max_pixels */
    IC_UNSUPPORTED = 3,  /* valid file using a feature we do not decode */
    IC_NO_MEMORY = 4,
    IC_BAD_ARGUMENT = 5  /* caller error: bad size, channel count, quality */
} ic_status;

typedef struct ic_image {
    uint8_t *pixels;   /* height rows of width*channels bytes, malloc'd; free with ic_free */
    int32_t width;
    int32_t height;
    int32_t channels;  /* 1 = gray, 3 = RGB */
} ic_image;

/* Frees memory returned by this library (pixels, encoded buffers). NULL is fine. */
void ic_free(void *pointer);

/*
 * JPEG decode. Grayscale stays 1 channel; YCbCr/RGB become RGB; CMYK/YCCK are converted to RGB
 * (Adobe-inverted CMYK handled). strict != 0 turns libjpeg warnings (premature end of data, corrupt
 * entropy data, ...) into errors, so a truncated training image is an error and not a grey smear.
 */
ic_status ic_jpeg_decode(const uint8_t *data, size_t size, int strict, int64_t max_pixels,
                         ic_image *out, char *error, size_t error_size);

/* Reads only the JPEG header: width, height and the number of components in the file. */
ic_status ic_jpeg_info(const uint8_t *data, size_t size, int32_t *width, int32_t *height,
                       int32_t *components, char *error, size_t error_size);

/*
 * PNG decode: every colour type, bit depth (16-bit scaled to 8, no gamma applied) and interlacing.
 * Gray and gray+alpha give 1 channel, RGB, RGBA and palette 3 channels. Alpha (including tRNS) is
 * composited onto white in stored (sRGB) values: out = (v*a + 255*(255-a)) / 255, rounded.
 * strict != 0 also requires the rest of the file up to IEND to be present and valid.
 */
ic_status ic_png_decode(const uint8_t *data, size_t size, int strict, int64_t max_pixels,
                        ic_image *out, char *error, size_t error_size);

/* JPEG encode of 1- or 3-channel 8-bit pixels; quality 1...100; progressive != 0 for a progressive file.
 * On success *out is malloc'd (free with ic_free). */
ic_status ic_jpeg_encode(const uint8_t *pixels, int32_t width, int32_t height, int32_t channels,
                         int32_t quality, int progressive, uint8_t **out, size_t *out_size,
                         char *error, size_t error_size);

/* JPEG encode of 4-channel CMYK pixels, stored Adobe style (inverted, with an Adobe marker) as
 * Photoshop writes them. jpeg_colorspace_ycck != 0 stores YCCK instead of CMYK. Used by tests. */
ic_status ic_jpeg_encode_cmyk(const uint8_t *cmyk, int32_t width, int32_t height, int32_t quality,
                              int ycck, uint8_t **out, size_t *out_size, char *error, size_t error_size);

/* PNG encode of 1- (gray), 2- (gray+alpha), 3- (RGB) or 4-channel (RGBA) 8-bit pixels. */
ic_status ic_png_encode(const uint8_t *pixels, int32_t width, int32_t height, int32_t channels,
                        uint8_t **out, size_t *out_size, char *error, size_t error_size);

/*
 * PNG encode through libpng's full API, for any colour type / bit depth / interlace (used by tests to
 * produce every PNG variant). `rows` holds height rows already packed as PNG stores them (samples of
 * 16 bits big-endian, 1/2/4-bit samples packed MSB first), each ceil(width*channels*bit_depth/8) bytes.
 * color_type: 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA. palette: palette_count RGB triples.
 * trns: trns_count palette alpha values (color type 3 only).
 */
ic_status ic_png_encode_raw(const uint8_t *rows, int32_t width, int32_t height, int32_t bit_depth,
                            int32_t color_type, int interlaced, const uint8_t *palette, int32_t palette_count,
                            const uint8_t *trns, int32_t trns_count, uint8_t **out, size_t *out_size,
                            char *error, size_t error_size);

#endif
