/*
 * lzc: a small LZSS compressor.
 *
 *   lzc c IN OUT    compress IN into OUT
 *   lzc d IN OUT    decompress IN (written by lzc c) into OUT
 *
 * Prints the sizes of the input and output. Format: "LZC1", the original size (4 bytes, little
 * endian), then groups of a flag byte and eight items (fewer at the end): for flag bit k (from
 * the lowest) 1, a literal byte; 0, a match of two bytes: 12 bits of distance back (1 to 4096)
 * and 4 bits of length minus 3 (3 to 18). Matches are found with hash chains over the last 4 KiB.
 *
 * Exit status: 0 on success, 1 if the compressed input is corrupt, 2 on a usage or I/O error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW 4096
#define MIN_MATCH 3
#define MAX_MATCH 18
#define HASH_BITS 13
#define MAX_CHAIN 64

static unsigned char *read_file(const char *name, size_t *n) {
    FILE *f = fopen(name, "rb");
    if (!f) {
        fprintf(stderr, "lzc: cannot open the input\n");
        exit(2);
    }
    size_t cap = 1 << 16, used = 0, got;
    unsigned char *buf = malloc(cap);
    while (buf && (got = fread(buf + used, 1, cap - used, f)) > 0) {
        used += got;
        if (used == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    if (!buf || ferror(f)) {
        fprintf(stderr, "lzc: cannot read the input\n");
        exit(2);
    }
    fclose(f);
    *n = used;
    return buf;
}

static void write_file(const char *name, const unsigned char *data, size_t n) {
    FILE *f = fopen(name, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "lzc: cannot write the output\n");
        exit(2);
    }
}

static unsigned hash3(const unsigned char *p) {
    uint32_t v = (uint32_t) p[0] << 16 | (uint32_t) p[1] << 8 | p[2];
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

static unsigned char *compress(const unsigned char *in, size_t n, size_t *out_n) {
    unsigned char *out = malloc(8 + n + n / 8 + 16);
    int32_t *head = malloc(sizeof(int32_t) << HASH_BITS);
    int32_t *prev = malloc(sizeof(int32_t) * (n ? n : 1));
    if (!out || !head || !prev) {
        fprintf(stderr, "lzc: out of memory\n");
        exit(2);
    }
    for (size_t i = 0; i < (1u << HASH_BITS); i++) head[i] = -1;
    memcpy(out, "LZC1", 4);
    for (int k = 0; k < 4; k++) out[4 + k] = (unsigned char) (n >> (8 * k));
    size_t o = 8, flag_at = 0;
    int item = 8;
    size_t i = 0;
    while (i < n) {
        if (item == 8) {
            flag_at = o++;
            out[flag_at] = 0;
            item = 0;
        }
        size_t best_len = 0, best_dist = 0;
        if (i + MIN_MATCH <= n) {
            unsigned h = hash3(in + i);
            int chain = 0;
            for (int32_t c = head[h]; c >= 0 && i - (size_t) c <= WINDOW && chain < MAX_CHAIN; c = prev[c], chain++) {
                size_t l = 0;
                while (l < MAX_MATCH && i + l < n && in[c + l] == in[i + l]) l++;
                if (l > best_len) {
                    best_len = l;
                    best_dist = i - (size_t) c;
                    if (l == MAX_MATCH) break;
                }
            }
        }
        size_t step = best_len >= MIN_MATCH ? best_len : 1;
        if (best_len >= MIN_MATCH) {
            unsigned v = (unsigned) (best_dist - 1) << 4 | (unsigned) (best_len - MIN_MATCH);
            out[o++] = (unsigned char) (v >> 8);
            out[o++] = (unsigned char) v;
        } else {
            out[flag_at] |= (unsigned char) (1 << item);
            out[o++] = in[i];
        }
        item++;
        for (size_t k = 0; k < step; k++, i++) {
            if (i + MIN_MATCH <= n) {
                unsigned h = hash3(in + i);
                prev[i] = head[h];
                head[h] = (int32_t) i;
            }
        }
    }
    free(head);
    free(prev);
    *out_n = o;
    return out;
}

static void corrupt(void) {
    fprintf(stderr, "lzc: corrupt input\n");
    exit(1);
}

static unsigned char *decompress(const unsigned char *in, size_t n, size_t *out_n) {
    if (n < 8 || memcmp(in, "LZC1", 4) != 0) corrupt();
    size_t size = (size_t) in[4] | (size_t) in[5] << 8 | (size_t) in[6] << 16 | (size_t) in[7] << 24;
    unsigned char *out = malloc(size ? size : 1);
    if (!out) corrupt();
    size_t o = 0, i = 8;
    while (o < size) {
        if (i >= n) corrupt();
        unsigned flags = in[i++];
        for (int item = 0; item < 8 && o < size; item++) {
            if (flags & (1u << item)) {
                if (i >= n) corrupt();
                out[o++] = in[i++];
            } else {
                if (i + 2 > n) corrupt();
                unsigned v = (unsigned) in[i] << 8 | in[i + 1];
                i += 2;
                size_t dist = (v >> 4) + 1, l = (v & 15) + MIN_MATCH;
                if (dist > o || o + l > size) corrupt();
                for (size_t k = 0; k < l; k++, o++) out[o] = out[o - dist];
            }
        }
    }
    if (i != n) corrupt();
    *out_n = size;
    return out;
}

int main(int argc, char **argv) {
    if (argc != 4 || (strcmp(argv[1], "c") != 0 && strcmp(argv[1], "d") != 0)) {
        fprintf(stderr, "usage: lzc c|d IN OUT\n");
        return 2;
    }
    size_t n, out_n;
    unsigned char *in = read_file(argv[2], &n);
    unsigned char *out = argv[1][0] == 'c' ? compress(in, n, &out_n) : decompress(in, n, &out_n);
    write_file(argv[3], out, out_n);
    printf("%s: %zu bytes in, %zu bytes out", argv[1][0] == 'c' ? "compressed" : "decompressed", n, out_n);
    if (argv[1][0] == 'c' && n > 0) printf(" (%.1f%%)", 100.0 * (double) out_n / (double) n);
    putchar('\n');
    return 0;
}
