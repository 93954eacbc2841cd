/*
 * sortlines: sorts the lines of the named files (or standard input) and prints them.
 *
 *   sortlines [-r] [-n] [-f] [-u] [-c] [FILE...]
 *     -r  reverse the order           -n  compare as numbers (lines that are not numbers sort first)
 *     -f  ignore ASCII case           -u  print each distinct line once
 *     -c  print each distinct line once, preceded by how many times it occurs
 *
 * The sort is stable. Exit status: 0 on success, 2 on a usage or I/O error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct line {
    char *text;
    size_t index;
    double number;
    int is_number;
};

static int reverse, numeric, fold, unique, count;

static int fold_compare(const char *a, const char *b) {
    for (;; a++, b++) {
        int x = (unsigned char) *a, y = (unsigned char) *b;
        if (x >= 'A' && x <= 'Z') x += 'a' - 'A';
        if (y >= 'A' && y <= 'Z') y += 'a' - 'A';
        if (x != y || !x) return x - y;
    }
}

/* The order of two lines' keys, ignoring their position. */
static int key_compare(const struct line *a, const struct line *b) {
    if (numeric) {
        if (a->is_number != b->is_number) return a->is_number - b->is_number;
        if (a->is_number && a->number != b->number) return a->number < b->number ? -1 : 1;
    }
    return fold ? fold_compare(a->text, b->text) : strcmp(a->text, b->text);
}

static int line_compare(const void *pa, const void *pb) {
    const struct line *a = pa, *b = pb;
    int c = key_compare(a, b);
    if (reverse) c = -c;
    if (c) return c;
    return a->index < b->index ? -1 : a->index > b->index;
}

static struct line *lines;
static size_t nlines, capacity;

static void add_line(const char *text, size_t n) {
    if (nlines == capacity) {
        capacity = capacity ? capacity * 2 : 64;
        lines = realloc(lines, capacity * sizeof *lines);
        if (!lines) {
            fprintf(stderr, "sortlines: out of memory\n");
            exit(2);
        }
    }
    struct line *l = &lines[nlines];
    l->text = malloc(n + 1);
    if (!l->text) {
        fprintf(stderr, "sortlines: out of memory\n");
        exit(2);
    }
    memcpy(l->text, text, n);
    l->text[n] = 0;
    l->index = nlines++;
    char *end;
    l->number = strtod(l->text, &end);
    l->is_number = end != l->text && *end == 0;
}

static void read_lines(FILE *f) {
    size_t cap = 256, n = 0;
    char *buf = malloc(cap);
    int c;
    while ((c = getc(f)) != EOF) {
        if (c == '\n') {
            add_line(buf, n);
            n = 0;
            continue;
        }
        if (n + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        buf[n++] = (char) c;
    }
    if (n > 0) add_line(buf, n);
    free(buf);
}

int main(int argc, char **argv) {
    int files = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1]) {
            for (const char *p = a + 1; *p; p++) {
                switch (*p) {
                case 'r': reverse = 1; break;
                case 'n': numeric = 1; break;
                case 'f': fold = 1; break;
                case 'u': unique = 1; break;
                case 'c': count = 1; break;
                default:
                    fprintf(stderr, "usage: sortlines [-r] [-n] [-f] [-u] [-c] [FILE...]\n");
                    return 2;
                }
            }
            continue;
        }
        files++;
        FILE *f = fopen(a, "r");
        if (!f) {
            fprintf(stderr, "sortlines: cannot open an input file\n");
            return 2;
        }
        read_lines(f);
        fclose(f);
    }
    if (!files) read_lines(stdin);
    qsort(lines, nlines, sizeof *lines, line_compare);
    for (size_t i = 0; i < nlines;) {
        size_t j = i + 1;
        while ((unique || count) && j < nlines && key_compare(&lines[i], &lines[j]) == 0) j++;
        if (count) printf("%7zu ", j - i);
        puts(lines[i].text);
        if (!unique && !count) j = i + 1;
        i = j;
    }
    return 0;
}
