/*
 * jsonpp: reads one JSON document (from the file named by the last argument, or standard input)
 * and prints it indented by two spaces.
 *
 *   jsonpp [-c] [-s] [FILE]     -c: compact output on one line; -s: sort object keys
 *
 * Exit status: 0 on success, 1 if the input is not valid JSON (the message names the line and
 * column), 2 on a usage or I/O error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind { J_NULL, J_TRUE, J_FALSE, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT };

struct value {
    enum kind kind;
    char *text;            /* J_NUMBER and J_STRING: the source text (strings with their quotes) */
    size_t count;          /* J_ARRAY and J_OBJECT: number of elements or members */
    char **keys;           /* J_OBJECT: the member names, with their quotes */
    struct value **items;  /* J_ARRAY and J_OBJECT: the elements or member values */
};

static const char *src;
static size_t pos, len;
static int compact, sort_keys;

static void fail(const char *what) {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < pos && i < len; i++) {
        if (src[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    fprintf(stderr, "jsonpp: line %zu, column %zu: %s\n", line, col, what);
    exit(1);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "jsonpp: out of memory\n");
        exit(2);
    }
    return p;
}

static void skip_space(void) {
    while (pos < len && (src[pos] == ' ' || src[pos] == '\t' || src[pos] == '\n' || src[pos] == '\r')) {
        pos++;
    }
}

static char *copy(size_t from, size_t to) {
    char *s = xmalloc(to - from + 1);
    memcpy(s, src + from, to - from);
    s[to - from] = 0;
    return s;
}

static char *parse_string(void) {
    size_t start = pos++;
    while (1) {
        if (pos >= len) fail("unterminated string");
        unsigned char c = (unsigned char) src[pos];
        if (c == '"') break;
        if (c < 0x20) fail("control character in string");
        if (c == '\\') {
            pos++;
            if (pos >= len) fail("unterminated escape");
            c = (unsigned char) src[pos];
            if (c == 'u') {
                for (int i = 1; i <= 4; i++) {
                    if (pos + i >= len || !strchr("0123456789abcdefABCDEF", src[pos + i]) || !src[pos + i]) {
                        fail("bad \\u escape");
                    }
                }
                pos += 4;
            } else if (!strchr("\"\\/bfnrt", c) || !c) {
                fail("unknown escape");
            }
        }
        pos++;
    }
    pos++;
    return copy(start, pos);
}

static int digit(size_t i) {
    return i < len && src[i] >= '0' && src[i] <= '9';
}

static char *parse_number(void) {
    size_t start = pos;
    if (src[pos] == '-') pos++;
    if (!digit(pos)) fail("bad number");
    if (src[pos] == '0') {
        pos++;
    } else {
        while (digit(pos)) pos++;
    }
    if (pos < len && src[pos] == '.') {
        pos++;
        if (!digit(pos)) fail("bad fraction");
        while (digit(pos)) pos++;
    }
    if (pos < len && (src[pos] == 'e' || src[pos] == 'E')) {
        pos++;
        if (pos < len && (src[pos] == '+' || src[pos] == '-')) pos++;
        if (!digit(pos)) fail("bad exponent");
        while (digit(pos)) pos++;
    }
    return copy(start, pos);
}

static struct value *parse_value(int depth);

static struct value *new_value(enum kind k) {
    struct value *v = xmalloc(sizeof *v);
    memset(v, 0, sizeof *v);
    v->kind = k;
    return v;
}

static void add_item(struct value *v, char *key, struct value *item, size_t *cap) {
    if (v->count == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        struct value **items = xmalloc(*cap * sizeof *items);
        char **keys = xmalloc(*cap * sizeof *keys);
        if (v->count) {
            memcpy(items, v->items, v->count * sizeof *items);
            memcpy(keys, v->keys, v->count * sizeof *keys);
            free(v->items);
            free(v->keys);
        }
        v->items = items;
        v->keys = keys;
    }
    v->keys[v->count] = key;
    v->items[v->count++] = item;
}

static struct value *parse_container(int depth, int object) {
    struct value *v = new_value(object ? J_OBJECT : J_ARRAY);
    size_t cap = 0;
    char close = object ? '}' : ']';
    pos++;
    skip_space();
    if (pos < len && src[pos] == close) {
        pos++;
        return v;
    }
    while (1) {
        char *key = NULL;
        skip_space();
        if (object) {
            if (pos >= len || src[pos] != '"') fail("expected a member name");
            key = parse_string();
            skip_space();
            if (pos >= len || src[pos] != ':') fail("expected ':'");
            pos++;
        }
        add_item(v, key, parse_value(depth + 1), &cap);
        skip_space();
        if (pos < len && src[pos] == ',') {
            pos++;
            continue;
        }
        if (pos < len && src[pos] == close) {
            pos++;
            return v;
        }
        fail(object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int literal(const char *word) {
    size_t n = strlen(word);
    if (len - pos >= n && memcmp(src + pos, word, n) == 0) {
        pos += n;
        return 1;
    }
    return 0;
}

static struct value *parse_value(int depth) {
    if (depth > 500) fail("nesting too deep");
    skip_space();
    if (pos >= len) fail("unexpected end of input");
    char c = src[pos];
    if (c == '{' || c == '[') return parse_container(depth, c == '{');
    if (c == '"') {
        struct value *v = new_value(J_STRING);
        v->text = parse_string();
        return v;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        struct value *v = new_value(J_NUMBER);
        v->text = parse_number();
        return v;
    }
    if (literal("true")) return new_value(J_TRUE);
    if (literal("false")) return new_value(J_FALSE);
    if (literal("null")) return new_value(J_NULL);
    fail("unexpected character");
    return NULL;
}

static void indent(int level) {
    if (compact) return;
    putchar('\n');
    for (int i = 0; i < level; i++) fputs("  ", stdout);
}

static struct value *sorting;

static int by_key(const void *a, const void *b) {
    size_t i = *(const size_t *) a, j = *(const size_t *) b;
    int c = strcmp(sorting->keys[i], sorting->keys[j]);
    return c ? c : (i < j ? -1 : i > j);
}

static void print_value(const struct value *v, int level) {
    switch (v->kind) {
    case J_NULL: fputs("null", stdout); return;
    case J_TRUE: fputs("true", stdout); return;
    case J_FALSE: fputs("false", stdout); return;
    case J_NUMBER:
    case J_STRING: fputs(v->text, stdout); return;
    case J_ARRAY:
    case J_OBJECT: break;
    }
    int object = v->kind == J_OBJECT;
    putchar(object ? '{' : '[');
    if (v->count == 0) {
        putchar(object ? '}' : ']');
        return;
    }
    size_t *order = xmalloc(v->count * sizeof *order);
    for (size_t i = 0; i < v->count; i++) order[i] = i;
    if (object && sort_keys) {
        sorting = (struct value *) v;
        qsort(order, v->count, sizeof *order, by_key);
    }
    for (size_t k = 0; k < v->count; k++) {
        size_t i = order[k];
        indent(level + 1);
        if (object) {
            fputs(v->keys[i], stdout);
            fputs(compact ? ":" : ": ", stdout);
        }
        print_value(v->items[i], level + 1);
        if (k + 1 < v->count) putchar(',');
    }
    free(order);
    indent(level);
    putchar(object ? '}' : ']');
}

static char *read_all(FILE *f, size_t *n) {
    size_t cap = 4096, used = 0;
    char *buf = xmalloc(cap);
    size_t got;
    while ((got = fread(buf + used, 1, cap - used, f)) > 0) {
        used += got;
        if (used == cap) {
            char *bigger = xmalloc(cap * 2);
            memcpy(bigger, buf, used);
            free(buf);
            buf = bigger;
            cap *= 2;
        }
    }
    if (ferror(f)) {
        fprintf(stderr, "jsonpp: read error\n");
        exit(2);
    }
    *n = used;
    return buf;
}

int main(int argc, char **argv) {
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0) {
            compact = 1;
        } else if (strcmp(argv[i], "-s") == 0) {
            sort_keys = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "usage: jsonpp [-c] [-s] [FILE]\n");
            return 2;
        } else {
            file = argv[i];
        }
    }
    FILE *in = stdin;
    if (file && strcmp(file, "-") != 0) {
        in = fopen(file, "rb");
        if (!in) {
            fprintf(stderr, "jsonpp: cannot open the input\n");
            return 2;
        }
    }
    src = read_all(in, &len);
    struct value *v = parse_value(0);
    skip_space();
    if (pos != len) fail("unexpected text after the value");
    print_value(v, 0);
    putchar('\n');
    return 0;
}
