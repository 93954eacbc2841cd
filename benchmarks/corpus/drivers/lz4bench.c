/* LZ4 benchmark driver: compresses (mode c, fast; mode h, high compression level 9) or
 * decompresses (mode d) SIZE_KB of generated text ROUNDS times with LZ4's block API, checks the
 * round trip and prints sizes and checksums (LZ4's own xxHash32). The fast compressor's output
 * depends on the word size (it hashes 5 bytes on 64-bit targets, 4 on 32-bit ones), so modes c
 * and d print only the input's checksum and the verified round trip, not the compressed stream's
 * size and checksum; HC's output is the same everywhere and is printed.
 * Usage: lz4bench c|h|d SIZE_KB ROUNDS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "textgen.h"
#include "lz4.h"
#include "lz4hc.h"
#include "xxhash.h"

static int compressOnce(char mode, const char *in, char *z, int n, int bound) {
    return mode == 'h' ? LZ4_compress_HC(in, z, n, bound, 9) : LZ4_compress_default(in, z, n, bound);
}

int main(int argc, char **argv) {
    char mode = argc == 4 ? argv[1][0] : 0;
    if (mode != 'c' && mode != 'h' && mode != 'd') {
        fprintf(stderr, "usage: lz4bench c|h|d SIZE_KB ROUNDS\n");
        return 2;
    }
    int n = atoi(argv[2]) * 1024;
    int rounds = atoi(argv[3]);
    int bound = LZ4_compressBound(n);
    char *in = malloc(n), *back = malloc(n), *z = malloc(bound);
    if (!in || !back || !z) return 3;
    textgen_fill((unsigned char *)in, (size_t)n);
    char cmode = mode == 'd' ? 'c' : mode;
    int zlen = compressOnce(cmode, in, z, n, bound);
    if (zlen <= 0) return 4;
    for (int r = 1; r < rounds; r++) {
        if (mode != 'd') {
            zlen = compressOnce(cmode, in, z, n, bound);
            if (zlen <= 0) return 4;
        } else if (LZ4_decompress_safe(z, back, zlen, n) != n) {
            return 5;
        }
    }
    if (LZ4_decompress_safe(z, back, zlen, n) != n || memcmp(in, back, (size_t)n) != 0) {
        fprintf(stderr, "lz4bench: round trip failed\n");
        return 6;
    }
    if (mode == 'h') {
        printf("lz4 %s compress-hc9: %d -> %d bytes, xxh32 %08x, of compressed %08x, %d rounds\n",
               LZ4_versionString(), n, zlen, XXH32(in, (size_t)n, 0), XXH32(z, (size_t)zlen, 0), rounds);
    } else {
        printf("lz4 %s %s: %d bytes, xxh32 %08x, round trip ok, %d rounds\n", LZ4_versionString(),
               mode == 'c' ? "compress" : "decompress", n, XXH32(in, (size_t)n, 0), rounds);
    }
    return 0;
}
