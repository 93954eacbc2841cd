/* bzip2 benchmark driver: compresses (mode c) or decompresses (mode d) SIZE_KB of generated text
 * ROUNDS times with libbz2's buffer API (block size 9), checks the round trip and prints sizes
 * and a checksum. Usage: bzbench c|d SIZE_KB ROUNDS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "textgen.h"
#include "bzlib.h"

static unsigned fnv1a(const unsigned char *p, size_t n) {
    unsigned h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

int main(int argc, char **argv) {
    if (argc != 4 || (argv[1][0] != 'c' && argv[1][0] != 'd')) {
        fprintf(stderr, "usage: bzbench c|d SIZE_KB ROUNDS\n");
        return 2;
    }
    int compressMode = argv[1][0] == 'c';
    unsigned n = (unsigned)strtoul(argv[2], NULL, 10) * 1024u;
    int rounds = atoi(argv[3]);
    unsigned bound = n + n / 100 + 600;
    char *in = malloc(n), *back = malloc(n), *z = malloc(bound);
    if (!in || !back || !z) return 3;
    textgen_fill((unsigned char *)in, n);
    unsigned zlen = bound;
    if (BZ2_bzBuffToBuffCompress(z, &zlen, in, n, 9, 0, 0) != BZ_OK) return 4;
    for (int r = 1; r < rounds; r++) {
        if (compressMode) {
            zlen = bound;
            if (BZ2_bzBuffToBuffCompress(z, &zlen, in, n, 9, 0, 0) != BZ_OK) return 4;
        } else {
            unsigned blen = n;
            if (BZ2_bzBuffToBuffDecompress(back, &blen, z, zlen, 0, 0) != BZ_OK || blen != n) return 5;
        }
    }
    unsigned blen = n;
    if (BZ2_bzBuffToBuffDecompress(back, &blen, z, zlen, 0, 0) != BZ_OK || blen != n
        || memcmp(in, back, n) != 0) {
        fprintf(stderr, "bzbench: round trip failed\n");
        return 6;
    }
    printf("bzip2 %s %s: %u -> %u bytes, fnv1a %08x, of compressed %08x, %d rounds\n",
           BZ2_bzlibVersion(), compressMode ? "compress" : "decompress", n, zlen,
           fnv1a((unsigned char *)in, n), fnv1a((unsigned char *)z, zlen), rounds);
    return 0;
}
