/*
 * cksum: prints checksums of files: CRC-32 (as zlib and PNG compute it), Adler-32 and 64-bit
 * FNV-1a, then the size and the file's base name; "-" or no argument reads standard input.
 *
 *   cksum [FILE...]
 *
 * Exit status: 0 on success, 2 if a file cannot be read.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint32_t crc_table[256];

static void make_crc_table(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}

struct sums {
    uint32_t crc, a, b;
    uint64_t fnv, size;
};

static void update(struct sums *s, const unsigned char *p, size_t n) {
    uint32_t crc = s->crc, a = s->a, b = s->b;
    uint64_t fnv = s->fnv;
    for (size_t i = 0; i < n; i++) {
        crc = crc_table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
        a = (a + p[i]) % 65521;
        b = (b + a) % 65521;
        fnv = (fnv ^ p[i]) * 0x100000001B3ull;
    }
    s->crc = crc;
    s->a = a;
    s->b = b;
    s->fnv = fnv;
    s->size += n;
}

static int sum_file(const char *name) {
    FILE *f = strcmp(name, "-") == 0 ? stdin : fopen(name, "rb");
    if (!f) {
        fprintf(stderr, "cksum: cannot open an input file\n");
        return 2;
    }
    struct sums s = {0xFFFFFFFFu, 1, 0, 0xCBF29CE484222325ull, 0};
    unsigned char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) update(&s, buf, n);
    int bad = ferror(f);
    if (f != stdin) fclose(f);
    if (bad) {
        fprintf(stderr, "cksum: read error\n");
        return 2;
    }
    const char *base = strrchr(name, '/');
    printf("%08x %08x %016llx %llu %s\n", (unsigned) (s.crc ^ 0xFFFFFFFFu), (unsigned) (s.b << 16 | s.a),
           (unsigned long long) s.fnv, (unsigned long long) s.size, base ? base + 1 : name);
    return 0;
}

int main(int argc, char **argv) {
    make_crc_table();
    int status = 0;
    if (argc < 2) return sum_file("-");
    for (int i = 1; i < argc; i++) {
        int s = sum_file(argv[i]);
        if (s) status = s;
    }
    return status;
}
