/* Regular-expression driver over kokke/tiny-regex-c: generates LINES lines of log-like text and
 * counts, for each of a fixed set of patterns, the lines it matches and the sum of match
 * positions and lengths, ROUNDS times. Usage: rebench LINES ROUNDS */
#include <stdio.h>
#include <stdlib.h>
#include "re.h"

static const char *const patterns[] = {
    "[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+", "ERROR", "^[A-Z][a-z]+ ", "user=[a-z]+[0-9]*",
    "\\d\\d:\\d\\d:\\d\\d", "took \\d+ms$", "[aeiou][aeiou][aeiou]", "x.*y.*z", "\\s\\w+=\\w+\\s"};
static const char *const levels[] = {"INFO", "WARN", "ERROR", "DEBUG"};
static const char *const users[] = {"alice", "bob", "carol", "dave7", "eve42", "mallory", "trent"};
static const char *const verbs[] = {"Queued", "Started", "Finished", "Retried", "Dropped", "Booted"};

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: rebench LINES ROUNDS\n");
        return 2;
    }
    int lines = atoi(argv[1]), rounds = atoi(argv[2]);
    const int npat = (int)(sizeof patterns / sizeof patterns[0]);
    char (*text)[128] = malloc((size_t)lines * 128);
    unsigned seed = 99;
    for (int i = 0; i < lines; i++) {
        unsigned r[6];
        for (int k = 0; k < 6; k++) r[k] = (seed = seed * 1103515245u + 12345u) >> 8;
        snprintf(text[i], 128, "%s %02u:%02u:%02u %s job user=%s host=10.%u.%u.%u queue xyz%s took %ums",
                 verbs[r[0] % 6], r[1] % 24, r[2] % 60, r[3] % 60, levels[r[4] % 4], users[r[5] % 7],
                 r[1] % 256, r[2] % 256, r[3] % 256, (r[4] & 16) ? "z" : "aei", r[5] % 5000);
    }
    long matched[sizeof patterns / sizeof patterns[0]] = {0}, weight[sizeof patterns / sizeof patterns[0]] = {0};
    for (int round = 0; round < rounds; round++) {
        for (int p = 0; p < npat; p++) {
            re_t re = re_compile(patterns[p]);
            for (int i = 0; i < lines; i++) {
                int len = 0, at = re_matchp(re, text[i], &len);
                if (at >= 0) {
                    matched[p]++;
                    weight[p] += at * 131 + len;
                }
            }
        }
    }
    for (int p = 0; p < npat; p++) printf("%-36s %8ld %10ld\n", patterns[p], matched[p], weight[p]);
    return 0;
}
