/* zlib benchmark driver: compresses (mode c) or decompresses (mode d) SIZE_KB of generated text
 * ROUNDS times with zlib's one-shot API at level 6, checks the round trip, and prints sizes and
 * checksums, so the output is the same on every engine and on the native build.
 * Usage: zbench c|d SIZE_KB ROUNDS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "textgen.h"
#include "zlib.h"

int main(int argc, char **argv) {
    if (argc != 4 || (argv[1][0] != 'c' && argv[1][0] != 'd')) {
        fprintf(stderr, "usage: zbench c|d SIZE_KB ROUNDS\n");
        return 2;
    }
    int compressMode = argv[1][0] == 'c';
    uLong n = strtoul(argv[2], NULL, 10) * 1024ul;
    int rounds = atoi(argv[3]);
    unsigned char *in = malloc(n), *back = malloc(n);
    uLong bound = compressBound(n);
    unsigned char *z = malloc(bound);
    if (!in || !back || !z) return 3;
    textgen_fill(in, n);
    uLongf zlen = bound;
    if (compress2(z, &zlen, in, n, 6) != Z_OK) return 4;
    for (int r = 1; r < rounds; r++) {
        if (compressMode) {
            zlen = bound;
            if (compress2(z, &zlen, in, n, 6) != Z_OK) return 4;
        } else {
            uLongf blen = n;
            if (uncompress(back, &blen, z, zlen) != Z_OK || blen != n) return 5;
        }
    }
    uLongf blen = n;
    if (uncompress(back, &blen, z, zlen) != Z_OK || blen != n || memcmp(in, back, n) != 0) {
        fprintf(stderr, "zbench: round trip failed\n");
        return 6;
    }
    printf("zlib %s %s: %lu -> %lu bytes, crc32 %08lx, adler32 of compressed %08lx, %d rounds\n",
           zlibVersion(), compressMode ? "compress" : "decompress", n, (unsigned long)zlen,
           crc32(0L, in, n), adler32(1L, z, zlen), rounds);
    return 0;
}
