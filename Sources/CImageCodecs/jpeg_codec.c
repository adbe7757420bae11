/* JPEG decode/encode with libjpeg. All error handling (setjmp/longjmp) stays inside this file. */
#include <stddef.h>
#include <stdio.h>   /* jpeglib.h needs size_t and FILE declared first */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>
#include "image_codecs.h"
#include "codec_internal.h"

/* libjpeg calls error_exit on fatal errors and emit_message(-1) on warnings; both may longjmp here. */
typedef struct ic_jpeg_error_manager {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    int strict;
    ic_status status;
    char message[JMSG_LENGTH_MAX];
} ic_jpeg_error_manager;

static void ic_jpeg_error_exit(j_common_ptr cinfo) {
    ic_jpeg_error_manager *manager = (ic_jpeg_error_manager *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, manager->message);
    manager->status = cinfo->err->msg_code == JERR_OUT_OF_MEMORY ? IC_NO_MEMORY : IC_CORRUPT;
    longjmp(manager->jump, 1);
}

static void ic_jpeg_emit_message(j_common_ptr cinfo, int msg_level) {
    ic_jpeg_error_manager *manager = (ic_jpeg_error_manager *)cinfo->err;
    if (msg_level >= 0) return;  /* trace messages: ignore */
    cinfo->err->num_warnings++;
    if (!manager->strict) return;
    /* Strict mode: a warning (e.g. "Premature end of JPEG file") means damaged data. */
    (*cinfo->err->format_message)(cinfo, manager->message);
    manager->status = IC_CORRUPT;
    longjmp(manager->jump, 1);
}

static void ic_jpeg_install_errors(ic_jpeg_error_manager *manager, int strict) {
    memset(manager, 0, sizeof *manager);
    jpeg_std_error(&manager->pub);
    manager->pub.error_exit = ic_jpeg_error_exit;
    manager->pub.emit_message = ic_jpeg_emit_message;
    manager->strict = strict;
    manager->status = IC_OK;
}

/* CMYK as decoded by libjpeg to RGB. Adobe files store inverted values (0 = full ink). */
static void ic_cmyk_row_to_rgb(const uint8_t *cmyk, uint8_t *rgb, int width, int inverted) {
    for (int x = 0; x < width; x++) {
        int c = cmyk[4 * x], m = cmyk[4 * x + 1], y = cmyk[4 * x + 2], k = cmyk[4 * x + 3];
        if (!inverted) { c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k; }
        /* now c,m,y,k are "amount of white left": R = (255-C)(255-K)/255 */
        rgb[3 * x] = (uint8_t)((c * k + 127) / 255);
        rgb[3 * x + 1] = (uint8_t)((m * k + 127) / 255);
        rgb[3 * x + 2] = (uint8_t)((y * k + 127) / 255);
    }
}

ic_status ic_jpeg_info(const uint8_t *data, size_t size, int32_t *width, int32_t *height,
                       int32_t *components, char *error, size_t error_size) {
    struct jpeg_decompress_struct cinfo;
    ic_jpeg_error_manager manager;
    if (data == NULL || size == 0) {
        ic_set_error(error, error_size, "empty JPEG data");
        return IC_CORRUPT;
    }
    ic_jpeg_install_errors(&manager, 0);
    cinfo.err = &manager.pub;
    if (setjmp(manager.jump)) {
        jpeg_destroy_decompress(&cinfo);
        ic_set_error(error, error_size, "%s", manager.message);
        return manager.status;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    *width = (int32_t)cinfo.image_width;
    *height = (int32_t)cinfo.image_height;
    *components = cinfo.num_components;
    jpeg_destroy_decompress(&cinfo);
    return IC_OK;
}

ic_status ic_jpeg_decode(const uint8_t *data, size_t size, int strict, int64_t max_pixels,
                         ic_image *out, char *error, size_t error_size) {
    struct jpeg_decompress_struct cinfo;
    ic_jpeg_error_manager manager;
    /* Modified between setjmp and longjmp: must be volatile so the cleanup sees the current value. */
    uint8_t *volatile pixels = NULL;
    uint8_t *volatile cmyk_row = NULL;

    memset(out, 0, sizeof *out);
    if (data == NULL || size == 0) {
        ic_set_error(error, error_size, "empty JPEG data");
        return IC_CORRUPT;
    }
    ic_jpeg_install_errors(&manager, strict);
    cinfo.err = &manager.pub;
    if (setjmp(manager.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        free(cmyk_row);
        ic_set_error(error, error_size, "%s", manager.message);
        return manager.status;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_save_markers(&cinfo, JPEG_APP0 + 14, 0);  /* Adobe marker is parsed by libjpeg itself */
    jpeg_read_header(&cinfo, TRUE);

    int64_t width = cinfo.image_width, height = cinfo.image_height;
    if (width <= 0 || height <= 0) {
        jpeg_destroy_decompress(&cinfo);
        ic_set_error(error, error_size, "JPEG declares an empty image (%lldx%lld)", (long long)width, (long long)height);
        return IC_CORRUPT;
    }
    if (!ic_within_limit(width, height, max_pixels)) {
        jpeg_destroy_decompress(&cinfo);
        ic_set_error(error, error_size, "JPEG declares %lldx%lld pixels, above the limit of %lld pixels",
                     (long long)width, (long long)height, (long long)max_pixels);
        return IC_TOO_LARGE;
    }

    int is_cmyk = 0, channels = 3;
    switch (cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
        cinfo.out_color_space = JCS_GRAYSCALE;
        channels = 1;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        cinfo.out_color_space = JCS_CMYK;  /* libjpeg converts YCCK to CMYK; we do CMYK to RGB */
        is_cmyk = 1;
        break;
    default:
        cinfo.out_color_space = JCS_RGB;
        break;
    }
    jpeg_start_decompress(&cinfo);
    if ((int)cinfo.output_components != (is_cmyk ? 4 : channels)) {
        jpeg_destroy_decompress(&cinfo);
        ic_set_error(error, error_size, "unexpected JPEG output with %d components", cinfo.output_components);
        return IC_UNSUPPORTED;
    }

    size_t stride = (size_t)cinfo.output_width * (size_t)channels;
    pixels = (uint8_t *)malloc(stride * cinfo.output_height);
    if (is_cmyk) cmyk_row = (uint8_t *)malloc((size_t)cinfo.output_width * 4);
    if (pixels == NULL || (is_cmyk && cmyk_row == NULL)) {
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        free(cmyk_row);
        ic_set_error(error, error_size, "out of memory for a %ux%u JPEG", cinfo.output_width, cinfo.output_height);
        return IC_NO_MEMORY;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        uint8_t *row = pixels + stride * cinfo.output_scanline;
        JSAMPROW target = is_cmyk ? cmyk_row : row;
        if (jpeg_read_scanlines(&cinfo, &target, 1) != 1) {
            /* Only happens with suspending sources; the memory source never suspends. Be safe anyway. */
            jpeg_destroy_decompress(&cinfo);
            free(pixels);
            free(cmyk_row);
            ic_set_error(error, error_size, "JPEG data ended early");
            return IC_CORRUPT;
        }
        if (is_cmyk) ic_cmyk_row_to_rgb(cmyk_row, row, (int)cinfo.output_width, cinfo.saw_Adobe_marker);
    }
    jpeg_finish_decompress(&cinfo);
    out->width = (int32_t)cinfo.output_width;
    out->height = (int32_t)cinfo.output_height;
    out->channels = channels;
    out->pixels = pixels;
    jpeg_destroy_decompress(&cinfo);
    free(cmyk_row);
    return IC_OK;
}

/* Shared encoder body: in_space/components describe the pixels, jpeg_space what the file stores. */
static ic_status ic_jpeg_encode_common(const uint8_t *pixels, int32_t width, int32_t height, int components,
                                       J_COLOR_SPACE in_space, J_COLOR_SPACE jpeg_space, int32_t quality,
                                       int progressive, uint8_t **out, size_t *out_size,
                                       char *error, size_t error_size) {
    struct jpeg_compress_struct cinfo;
    ic_jpeg_error_manager manager;
    unsigned long buffer_size = 0;

    *out = NULL;
    *out_size = 0;
    if (pixels == NULL || width <= 0 || height <= 0 || width > 65500 || height > 65500) {
        ic_set_error(error, error_size, "cannot encode a %dx%d image as JPEG (1...65500 pixels per side)", width, height);
        return IC_BAD_ARGUMENT;
    }
    if (quality < 1 || quality > 100) {
        ic_set_error(error, error_size, "JPEG quality %d is outside 1...100", quality);
        return IC_BAD_ARGUMENT;
    }
    ic_jpeg_install_errors(&manager, 0);
    cinfo.err = &manager.pub;
    if (setjmp(manager.jump)) {
        /* libjpeg's memory destination may hold a buffer here that we cannot reach safely; encoder
           errors only come from arguments checked above or out-of-memory, so this leak is accepted. */
        jpeg_destroy_compress(&cinfo);
        ic_set_error(error, error_size, "%s", manager.message);
        return manager.status;
    }
    jpeg_create_compress(&cinfo);
    unsigned char *destination = NULL;
    jpeg_mem_dest(&cinfo, &destination, &buffer_size);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    cinfo.input_components = components;
    cinfo.in_color_space = in_space;
    jpeg_set_defaults(&cinfo);
    jpeg_set_colorspace(&cinfo, jpeg_space);
    jpeg_set_quality(&cinfo, quality, TRUE);
    if (progressive) jpeg_simple_progression(&cinfo);
    jpeg_start_compress(&cinfo, TRUE);
    size_t stride = (size_t)width * (size_t)components;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + stride * cinfo.next_scanline);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *out = destination;
    *out_size = (size_t)buffer_size;
    return IC_OK;
}

ic_status ic_jpeg_encode(const uint8_t *pixels, int32_t width, int32_t height, int32_t channels,
                         int32_t quality, int progressive, uint8_t **out, size_t *out_size,
                         char *error, size_t error_size) {
    if (channels != 1 && channels != 3) {
        *out = NULL;
        *out_size = 0;
        ic_set_error(error, error_size, "JPEG needs 1 or 3 channels, got %d", channels);
        return IC_BAD_ARGUMENT;
    }
    J_COLOR_SPACE space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    J_COLOR_SPACE stored = channels == 1 ? JCS_GRAYSCALE : JCS_YCbCr;
    return ic_jpeg_encode_common(pixels, width, height, channels, space, stored, quality, progressive,
                                 out, out_size, error, error_size);
}

ic_status ic_jpeg_encode_cmyk(const uint8_t *cmyk, int32_t width, int32_t height, int32_t quality,
                              int ycck, uint8_t **out, size_t *out_size, char *error, size_t error_size) {
    if (cmyk == NULL || width <= 0 || height <= 0) {
        *out = NULL;
        *out_size = 0;
        ic_set_error(error, error_size, "cannot encode a %dx%d CMYK image", width, height);
        return IC_BAD_ARGUMENT;
    }
    /* Photoshop convention: stored inverted, flagged by the Adobe marker libjpeg writes for CMYK/YCCK. */
    size_t count = (size_t)width * (size_t)height * 4;
    uint8_t *inverted = (uint8_t *)malloc(count);
    if (inverted == NULL) {
        ic_set_error(error, error_size, "out of memory");
        return IC_NO_MEMORY;
    }
    for (size_t i = 0; i < count; i++) inverted[i] = (uint8_t)(255 - cmyk[i]);
    ic_status status = ic_jpeg_encode_common(inverted, width, height, 4, JCS_CMYK, ycck ? JCS_YCCK : JCS_CMYK,
                                             quality, 0, out, out_size, error, error_size);
    free(inverted);
    return status;
}
