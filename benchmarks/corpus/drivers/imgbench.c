/* Image codec driver over stb_image and stb_image_write: draws a W x H RGB picture (gradients,
 * rings and noise), encodes it ROUNDS times as PNG and as JPEG (quality 90) into memory, decodes
 * both with stb_image, and prints sizes and checksums of the encoded and decoded pixels.
 * Usage: imgbench W H ROUNDS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* Scalar code only: stb_image's SSE2 paths would make native JPEG pixels differ from wasm32's. */
#define STBI_NO_SIMD
#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_STDIO
#include "stb_image.h"
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#include "stb_image_write.h"

typedef struct { unsigned char *data; size_t len, cap; } Buf;

static void append(void *context, void *data, int size) {
    Buf *b = context;
    if (b->len + (size_t)size > b->cap) {
        b->cap = (b->len + (size_t)size) * 2;
        b->data = realloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, data, (size_t)size);
    b->len += (size_t)size;
}

static unsigned fnv1a(const unsigned char *p, size_t n) {
    unsigned h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: imgbench W H ROUNDS\n");
        return 2;
    }
    int w = atoi(argv[1]), h = atoi(argv[2]), rounds = atoi(argv[3]);
    unsigned char *px = malloc((size_t)w * h * 3);
    unsigned seed = 1;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            int dx = x - w / 2, dy = y - h / 2;
            int ring = ((dx * dx + dy * dy) / 97) & 63;
            seed = seed * 1664525u + 1013904223u;
            unsigned char *p = px + ((size_t)y * w + x) * 3;
            p[0] = (unsigned char)(x * 255 / w);
            p[1] = (unsigned char)(ring * 4);
            p[2] = (unsigned char)((y * 255 / h + (seed >> 29)) & 255);
        }
    }
    Buf png = {0}, jpg = {0};
    for (int r = 0; r < rounds; r++) {
        png.len = jpg.len = 0;
        if (!stbi_write_png_to_func(append, &png, w, h, 3, px, w * 3)) return 3;
        if (!stbi_write_jpg_to_func(append, &jpg, w, h, 3, px, 90)) return 3;
    }
    unsigned pngPixels = 0, jpgPixels = 0;
    for (int r = 0; r < rounds; r++) {
        int dw, dh, dn;
        unsigned char *d = stbi_load_from_memory(png.data, (int)png.len, &dw, &dh, &dn, 3);
        if (!d || dw != w || dh != h || memcmp(d, px, (size_t)w * h * 3) != 0) {
            fprintf(stderr, "imgbench: PNG round trip failed\n");
            return 4;
        }
        pngPixels = fnv1a(d, (size_t)w * h * 3);
        stbi_image_free(d);
        d = stbi_load_from_memory(jpg.data, (int)jpg.len, &dw, &dh, &dn, 3);
        if (!d || dw != w || dh != h) return 5;
        jpgPixels = fnv1a(d, (size_t)w * h * 3);
        stbi_image_free(d);
    }
    printf("image %dx%d, %d rounds: png %zu bytes (fnv1a %08x, pixels %08x), jpeg %zu bytes (fnv1a %08x, pixels %08x)\n",
           w, h, rounds, png.len, fnv1a(png.data, png.len), pngPixels, jpg.len, fnv1a(jpg.data, jpg.len), jpgPixels);
    return 0;
}
