/*
 * wordfreq: counts words in text files. Packed with its texts as a Cella image
 * (examples/images/README.md); run alone, or as an app of workers and a coordinator.
 *
 *   wordfreq count DIR          prints the 10 most frequent words of the files in DIR
 *   wordfreq worker DIR OUT     counts its share of DIR's files (file k of n sorted goes to
 *                               replica k mod n, from $CELLA_REPLICA and $CELLA_REPLICAS) and
 *                               writes OUT/part-I.txt ("count word" lines)
 *   wordfreq merge OUT N        adds up OUT/part-0.txt .. part-(N-1).txt into OUT/total.txt and
 *                               prints the 10 most frequent; exits 75 (try again) while a part
 *                               is missing, so that a restart policy retries it
 *
 * A word is a run of ASCII letters, folded to lower case. Exit status: 0 done, 1 an error,
 * 2 usage, 75 parts not ready.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORD 64
#define TABLE 8192

struct entry {
    char word[MAX_WORD];
    long count;
};

static struct entry table[TABLE];
static int used;

static struct entry *slot(const char *w) {
    unsigned long h = 5381;
    for (const char *p = w; *p; p++) {
        h = h * 33 + (unsigned char)*p;
    }
    for (unsigned long i = h % TABLE;; i = (i + 1) % TABLE) {
        if (table[i].word[0] == 0) {
            if (used == TABLE - 1) {
                fprintf(stderr, "wordfreq: too many distinct words\n");
                exit(1);
            }
            used++;
            strcpy(table[i].word, w);
            return &table[i];
        }
        if (strcmp(table[i].word, w) == 0) {
            return &table[i];
        }
    }
}

static long count_file(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "wordfreq: cannot open %s\n", path);
        exit(1);
    }
    char w[MAX_WORD];
    int n = 0;
    long words = 0;
    for (int c; (c = fgetc(f)) != EOF;) {
        if (isalpha(c) && c < 128) {
            if (n < MAX_WORD - 1) {
                w[n++] = (char)tolower(c);
            }
        } else if (n > 0) {
            w[n] = 0;
            slot(w)->count++;
            words++;
            n = 0;
        }
    }
    if (n > 0) {
        w[n] = 0;
        slot(w)->count++;
        words++;
    }
    fclose(f);
    return words;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files of dir, sorted by name; *count receives how many. */
static char **list_dir(const char *dir, int *count) {
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "wordfreq: cannot open directory %s\n", dir);
        exit(1);
    }
    char **names = NULL;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.') {
            continue;
        }
        names = realloc(names, (size_t)(n + 1) * sizeof *names);
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        snprintf(names[n], len, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, by_name);
    *count = n;
    return names;
}

static int by_count(const void *a, const void *b) {
    const struct entry *x = a, *y = b;
    if (x->count != y->count) {
        return x->count < y->count ? 1 : -1;
    }
    return strcmp(x->word, y->word);
}

/* Sorts the table by count (then word) and prints the first ten. */
static void print_top(void) {
    qsort(table, TABLE, sizeof table[0], by_count);
    for (int i = 0; i < 10 && table[i].count > 0; i++) {
        printf("%7ld %s\n", table[i].count, table[i].word);
    }
}

static int env_int(const char *name, int fallback) {
    const char *v = getenv(name);
    return v ? atoi(v) : fallback;
}

static int worker(const char *dir, const char *out) {
    int n;
    char **files = list_dir(dir, &n);
    int me = env_int("CELLA_REPLICA", 0), of = env_int("CELLA_REPLICAS", 1);
    long words = 0;
    int mine = 0;
    for (int k = me; k < n; k += of) {
        words += count_file(files[k]);
        mine++;
    }
    char tmp[256], part[256];
    snprintf(tmp, sizeof tmp, "%s/part-%d.tmp", out, me);
    snprintf(part, sizeof part, "%s/part-%d.txt", out, me);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "wordfreq: cannot write %s\n", tmp);
        return 1;
    }
    for (int i = 0; i < TABLE; i++) {
        if (table[i].count > 0) {
            fprintf(f, "%ld %s\n", table[i].count, table[i].word);
        }
    }
    fclose(f);
    /* Renamed only when complete, so that the coordinator never reads half a part. */
    if (rename(tmp, part) != 0) {
        fprintf(stderr, "wordfreq: cannot rename %s\n", tmp);
        return 1;
    }
    printf("worker %d of %d: %d files, %ld words\n", me, of, mine, words);
    return 0;
}

static int merge(const char *out, int parts) {
    for (int p = 0; p < parts; p++) {
        char part[256];
        snprintf(part, sizeof part, "%s/part-%d.txt", out, p);
        FILE *f = fopen(part, "r");
        if (!f) {
            fprintf(stderr, "merge: %s is not ready yet\n", part);
            return 75;
        }
        long c;
        char w[MAX_WORD];
        while (fscanf(f, "%ld %63s", &c, w) == 2) {
            slot(w)->count += c;
        }
        fclose(f);
    }
    char total[256];
    snprintf(total, sizeof total, "%s/total.txt", out);
    FILE *f = fopen(total, "w");
    if (!f) {
        fprintf(stderr, "wordfreq: cannot write %s\n", total);
        return 1;
    }
    qsort(table, TABLE, sizeof table[0], by_count);
    for (int i = 0; i < TABLE && table[i].count > 0; i++) {
        fprintf(f, "%ld %s\n", table[i].count, table[i].word);
    }
    fclose(f);
    printf("merged %d parts:\n", parts);
    for (int i = 0; i < 10 && table[i].count > 0; i++) {
        printf("%7ld %s\n", table[i].count, table[i].word);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "count") == 0) {
        int n;
        char **files = list_dir(argv[2], &n);
        long words = 0;
        for (int k = 0; k < n; k++) {
            words += count_file(files[k]);
        }
        printf("%d files, %ld words; the most frequent:\n", n, words);
        print_top();
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "worker") == 0) {
        return worker(argv[2], argv[3]);
    }
    if (argc == 4 && strcmp(argv[1], "merge") == 0) {
        return merge(argv[2], atoi(argv[3]));
    }
    fprintf(stderr, "usage: wordfreq count DIR | worker DIR OUT | merge OUT N\n");
    return 2;
}
