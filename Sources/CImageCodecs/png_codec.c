/* PNG decode/encode with libpng. Decoding uses the full API with libpng's expand/scale/deinterlace
 * transforms: the simplified png_image reader of libpng 1.6.39 scrambles the rows of interlaced 16-bit
 * files and applies gamma to 16-bit data, so it is only used for writing plain 8-bit files. */
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>
#include "image_codecs.h"
#include "codec_internal.h"

/* Input cursor for png_set_read_fn: reading past the end is a truncated file. */
typedef struct ic_png_input {
    const uint8_t *data;
    size_t size;
    size_t position;
} ic_png_input;

static void ic_png_read_data(png_structp png, png_bytep bytes, png_size_t length) {
    ic_png_input *input = (ic_png_input *)png_get_io_ptr(png);
    if (length > input->size - input->position) png_error(png, "PNG data ends early (truncated file)");
    memcpy(bytes, input->data + input->position, length);
    input->position += length;
}

typedef struct ic_png_error_state {
    jmp_buf jump;
    char message[200];
} ic_png_error_state;

static void ic_png_error(png_structp png, png_const_charp message) {
    ic_png_error_state *state = (ic_png_error_state *)png_get_error_ptr(png);
    snprintf(state->message, sizeof state->message, "%s", message);
    longjmp(state->jump, 1);
}

/* Warnings (e.g. "iCCP: known incorrect sRGB profile") are common in valid files: ignore them. */
static void ic_png_warning(png_structp png, png_const_charp message) { (void)png; (void)message; }

/* v over white with coverage a (0...255), rounded: (v*a + 255*(255-a)) / 255. */
static inline uint8_t ic_over_white(unsigned v, unsigned a) {
    return (uint8_t)((v * a + 255u * (255u - a) + 127u) / 255u);
}

ic_status ic_png_decode(const uint8_t *data, size_t size, int strict, int64_t max_pixels,
                        ic_image *out, char *error, size_t error_size) {
    memset(out, 0, sizeof *out);
    if (data == NULL || size < 8 || png_sig_cmp((png_const_bytep)data, 0, 8) != 0) {
        ic_set_error(error, error_size, size < 8 ? "PNG data too short for the signature" : "bad PNG signature");
        return IC_CORRUPT;
    }
    ic_png_error_state state;
    state.message[0] = 0;
    ic_png_input input = {data, size, 0};
    /* volatile: assigned after setjmp, read by the error path */
    uint8_t *volatile pixels = NULL;
    uint8_t *volatile decoded = NULL;
    png_bytep *volatile rows = NULL;
    png_structp volatile png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, ic_png_error, ic_png_warning);
    png_infop volatile info = png ? png_create_info_struct(png) : NULL;
    if (png == NULL || info == NULL) {
        png_structp p = png;
        png_infop i = info;
        png_destroy_read_struct(&p, &i, NULL);
        ic_set_error(error, error_size, "out of memory");
        return IC_NO_MEMORY;
    }
    if (setjmp(state.jump)) {
        png_structp p = png;
        png_infop i = info;
        png_destroy_read_struct(&p, &i, NULL);
        free(pixels);
        free(decoded);
        free(rows);
        ic_set_error(error, error_size, "%s", state.message);
        return IC_CORRUPT;
    }
    png_set_read_fn(png, &input, ic_png_read_data);
    png_read_info(png, info);
    png_uint_32 width = png_get_image_width(png, info), height = png_get_image_height(png, info);
    if (!ic_within_limit(width, height, max_pixels)) {
        png_structp p = png;
        png_infop i = info;
        png_destroy_read_struct(&p, &i, NULL);
        ic_set_error(error, error_size, "PNG declares %ux%u pixels, above the limit of %lld pixels",
                     width, height, (long long)max_pixels);
        return IC_TOO_LARGE;
    }
    int color_type = png_get_color_type(png, info);
    int gray = (color_type & PNG_COLOR_MASK_COLOR) == 0;  /* palette counts as colour */
    /* Everything to 8-bit gray / gray+alpha / RGB / RGBA, deinterlaced by libpng. */
    png_set_expand(png);            /* palette -> RGB, gray < 8 bits -> 8, tRNS -> alpha */
    png_set_scale_16(png);          /* 16 -> 8 bits, rounded (no gamma: values kept as stored) */
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    int channels_in = png_get_channels(png, info);
    int channels_out = gray ? 1 : 3;
    if (png_get_bit_depth(png, info) != 8 || channels_in < channels_out || channels_in > channels_out + 1) {
        png_structp p = png;
        png_infop i = info;
        png_destroy_read_struct(&p, &i, NULL);
        ic_set_error(error, error_size, "unexpected PNG layout after expansion (%d channels)", channels_in);
        return IC_UNSUPPORTED;
    }
    size_t row_bytes = png_get_rowbytes(png, info);
    decoded = (uint8_t *)malloc(row_bytes * height);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * height);
    if (decoded == NULL || rows == NULL) png_error(png, "out of memory for the image");
    for (png_uint_32 y = 0; y < height; y++) rows[y] = decoded + row_bytes * y;
    png_read_image(png, rows);
    /* Strict: the file must be complete up to IEND (with valid CRCs). */
    if (strict) png_read_end(png, NULL);

    if (channels_in == channels_out) {
        pixels = decoded;
        decoded = NULL;
    } else {
        /* Composite the alpha channel onto white. */
        pixels = (uint8_t *)malloc((size_t)width * height * channels_out);
        if (pixels == NULL) png_error(png, "out of memory for the image");
        size_t count = (size_t)width * height;
        for (size_t i = 0; i < count; i++) {
            const uint8_t *s = decoded + i * channels_in;
            unsigned a = s[channels_out];
            for (int c = 0; c < channels_out; c++) pixels[i * channels_out + c] = ic_over_white(s[c], a);
        }
    }
    out->pixels = pixels;
    out->width = (int32_t)width;
    out->height = (int32_t)height;
    out->channels = channels_out;
    free(decoded);
    free(rows);
    png_structp p = png;
    png_infop i = info;
    png_destroy_read_struct(&p, &i, NULL);
    return IC_OK;
}

ic_status ic_png_encode(const uint8_t *pixels, int32_t width, int32_t height, int32_t channels,
                        uint8_t **out, size_t *out_size, char *error, size_t error_size) {
    static const png_uint_32 formats[5] = {0, PNG_FORMAT_GRAY, PNG_FORMAT_GA, PNG_FORMAT_RGB, PNG_FORMAT_RGBA};
    *out = NULL;
    *out_size = 0;
    if (pixels == NULL || width <= 0 || height <= 0 || channels < 1 || channels > 4) {
        ic_set_error(error, error_size, "cannot encode a %dx%d image with %d channels as PNG", width, height, channels);
        return IC_BAD_ARGUMENT;
    }
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = (png_uint_32)width;
    image.height = (png_uint_32)height;
    image.format = formats[channels];
    png_alloc_size_t size = 0;
    /* First call measures, second call writes. */
    if (!png_image_write_to_memory(&image, NULL, &size, 0, pixels, 0, NULL)) {
        ic_set_error(error, error_size, "%s", image.message);
        png_image_free(&image);
        return IC_CORRUPT;
    }
    uint8_t *buffer = (uint8_t *)malloc(size);
    if (buffer == NULL) {
        ic_set_error(error, error_size, "out of memory");
        png_image_free(&image);
        return IC_NO_MEMORY;
    }
    if (!png_image_write_to_memory(&image, buffer, &size, 0, pixels, 0, NULL)) {
        ic_set_error(error, error_size, "%s", image.message);
        free(buffer);
        png_image_free(&image);
        return IC_CORRUPT;
    }
    png_image_free(&image);
    *out = buffer;
    *out_size = (size_t)size;
    return IC_OK;
}

/* Growable output buffer for the full-API writer. */
typedef struct ic_png_buffer {
    uint8_t *data;
    size_t size;
    size_t capacity;
    int failed;
} ic_png_buffer;

static void ic_png_write_data(png_structp png, png_bytep bytes, png_size_t length) {
    ic_png_buffer *buffer = (ic_png_buffer *)png_get_io_ptr(png);
    if (buffer->failed) return;
    if (buffer->size + length > buffer->capacity) {
        size_t capacity = buffer->capacity ? buffer->capacity * 2 : 4096;
        while (capacity < buffer->size + length) capacity *= 2;
        uint8_t *grown = (uint8_t *)realloc(buffer->data, capacity);
        if (grown == NULL) { buffer->failed = 1; png_error(png, "out of memory"); }
        buffer->data = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->data + buffer->size, bytes, length);
    buffer->size += length;
}

static void ic_png_flush(png_structp png) { (void)png; }

ic_status ic_png_encode_raw(const uint8_t *rows, int32_t width, int32_t height, int32_t bit_depth,
                            int32_t color_type, int interlaced, const uint8_t *palette, int32_t palette_count,
                            const uint8_t *trns, int32_t trns_count, uint8_t **out, size_t *out_size,
                            char *error, size_t error_size) {
    int channels;
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY: channels = 1; break;
    case PNG_COLOR_TYPE_RGB: channels = 3; break;
    case PNG_COLOR_TYPE_PALETTE: channels = 1; break;
    case PNG_COLOR_TYPE_GRAY_ALPHA: channels = 2; break;
    case PNG_COLOR_TYPE_RGB_ALPHA: channels = 4; break;
    default:
        ic_set_error(error, error_size, "unknown PNG colour type %d", color_type);
        return IC_BAD_ARGUMENT;
    }
    *out = NULL;
    *out_size = 0;
    if (rows == NULL || width <= 0 || height <= 0) {
        ic_set_error(error, error_size, "cannot encode a %dx%d PNG", width, height);
        return IC_BAD_ARGUMENT;
    }
    ic_png_error_state state;
    state.message[0] = 0;
    /* volatile: these change after setjmp and are read by the error path */
    ic_png_buffer buffer_storage = {NULL, 0, 0, 0};
    ic_png_buffer *volatile buffer = &buffer_storage;
    png_structp volatile png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &state, ic_png_error, ic_png_warning);
    png_infop volatile info = png ? png_create_info_struct(png) : NULL;
    if (png == NULL || info == NULL) {
        png_structp p = png;
        png_infop i = info;
        png_destroy_write_struct(&p, &i);
        ic_set_error(error, error_size, "out of memory");
        return IC_NO_MEMORY;
    }
    if (setjmp(state.jump)) {
        png_structp p = png;
        png_infop i = info;
        png_destroy_write_struct(&p, &i);
        free(buffer->data);
        ic_set_error(error, error_size, "%s", state.message);
        return IC_BAD_ARGUMENT;
    }
    png_set_write_fn(png, buffer, ic_png_write_data, ic_png_flush);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, bit_depth, color_type,
                 interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (color_type == PNG_COLOR_TYPE_PALETTE) {
        png_color colors[256];
        int count = palette_count < 0 ? 0 : (palette_count > 256 ? 256 : palette_count);
        for (int i = 0; i < count; i++) {
            colors[i].red = palette[3 * i];
            colors[i].green = palette[3 * i + 1];
            colors[i].blue = palette[3 * i + 2];
        }
        png_set_PLTE(png, info, colors, count);
        if (trns != NULL && trns_count > 0) png_set_tRNS(png, info, trns, trns_count, NULL);
    }
    png_write_info(png, info);
    size_t stride = ((size_t)width * (size_t)channels * (size_t)bit_depth + 7) / 8;
    png_bytep *row_pointers = (png_bytep *)png_malloc(png, sizeof(png_bytep) * (size_t)height);
    for (int32_t y = 0; y < height; y++) row_pointers[y] = (png_bytep)(rows + stride * (size_t)y);
    png_write_image(png, row_pointers);  /* handles the Adam7 passes itself */
    png_free(png, row_pointers);
    png_write_end(png, NULL);
    png_structp p = png;
    png_infop i = info;
    png_destroy_write_struct(&p, &i);
    *out = buffer->data;
    *out_size = buffer->size;
    return IC_OK;
}
