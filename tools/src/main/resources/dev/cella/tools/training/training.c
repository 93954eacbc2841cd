/*
 * The program bin/cella runs once, on the run that writes a command's class-data archive, so that
 * the archive holds the classes a WebAssembly run needs on every engine (docs/cli.md, "The
 * launcher"; docs/performance.md, "What a first run is made of"). It only has to touch the
 * common instruction families: integer and float arithmetic, memory, loops, a switch (br_table),
 * direct and indirect calls, and WASI output. Built by build.sh (clang for wasm32-wasi, -O2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned crc(const unsigned char *p, size_t n) {
    unsigned c = ~0u;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & -(c & 1));
    }
    return ~c;
}

static long long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static double dot(const double *a, const double *b, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }
static int mul(int a, int b) { return a * b; }
static int (*const ops[])(int, int) = {add, sub, mul};

static int step(int state, int input) {
    switch ((state + input) % 7) {
    case 0: return state * 3 + 1;
    case 1: return state / 2;
    case 2: return state ^ input;
    case 3: return state + 17;
    case 4: return state - input;
    case 5: return state << 1;
    default: return state >> 1;
    }
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 200;
    size_t size = 1 << 16;
    unsigned char *buf = malloc(size);
    double *v = malloc(256 * sizeof(double));
    unsigned h = 0;
    long long f = 0;
    double d = 0;
    int s = 1, acc = 0;
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < size; i++) buf[i] = (unsigned char) (i * 31 + r);
        h ^= crc(buf, size / 16);
        for (int i = 0; i < 256; i++) v[i] = (double) (i + r) / 3.0;
        d += dot(v, v, 256);
        for (int i = 0; i < 1000; i++) {
            s = step(s, i);
            acc = ops[i % 3](acc, s & 0xff);
        }
        f += fib(12);
        memmove(buf + 1, buf, size - 1);
    }
    printf("%08x %lld %.3f %d %d\n", h, f, d, s, acc);
    free(buf);
    free(v);
    return 0;
}
