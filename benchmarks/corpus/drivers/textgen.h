/* Deterministic pseudo-text for the compression drivers (zbench, bzbench, lz4bench): words drawn
 * from a small vocabulary with a skewed distribution, sentences and numbers, so the data
 * compresses like prose (about 3:1 with zlib) without committing megabytes of input.
 * Same bytes on every platform: only 32-bit unsigned arithmetic. */
#ifndef CORPUS_TEXTGEN_H
#define CORPUS_TEXTGEN_H

#include <stddef.h>
#include <string.h>

static const char *const textgen_words[] = {
    "the", "of", "and", "a", "to", "in", "is", "you", "that", "it", "he", "was", "for", "on",
    "are", "as", "with", "his", "they", "at", "be", "this", "have", "from", "or", "one", "had",
    "by", "word", "but", "not", "what", "all", "were", "we", "when", "your", "can", "said",
    "there", "use", "an", "each", "which", "she", "do", "how", "their", "if", "will", "up",
    "other", "about", "out", "many", "then", "them", "these", "so", "some", "her", "would",
    "make", "like", "him", "into", "time", "has", "look", "two", "more", "write", "go", "see",
    "number", "no", "way", "could", "people", "my", "than", "first", "water", "been", "call",
    "who", "oil", "its", "now", "find", "long", "down", "day", "did", "get", "come", "made",
    "may", "part", "machine", "register", "memory", "process", "compiler", "interpreter"};

static unsigned textgen_state = 12345u;

static unsigned textgen_next(void) {
    textgen_state = textgen_state * 1664525u + 1013904223u;
    return textgen_state >> 8;
}

/* Fills buf[0..n) with text; returns n. */
static size_t textgen_fill(unsigned char *buf, size_t n) {
    const size_t nwords = sizeof textgen_words / sizeof textgen_words[0];
    size_t i = 0;
    int sentence = 0;
    while (i < n) {
        char tmp[32];
        const char *w;
        size_t len;
        unsigned r = textgen_next();
        if (r % 17 == 0) {
            unsigned v = textgen_next() % 100000u;
            int k = 0;
            char digits[12];
            do { digits[k++] = (char)('0' + v % 10); v /= 10; } while (v);
            for (len = 0; k > 0; len++) tmp[len] = digits[--k];
            tmp[len] = 0;
            w = tmp;
        } else {
            /* min of two draws skews towards the frequent words at the front */
            unsigned a = textgen_next() % nwords, b = textgen_next() % nwords;
            w = textgen_words[a < b ? a : b];
            len = strlen(w);
        }
        for (size_t j = 0; j < len && i < n; j++) buf[i++] = (unsigned char)w[j];
        if (i < n) {
            if (++sentence % 12 == 0) {
                buf[i++] = '.';
                if (i < n) buf[i++] = (sentence % 60 == 0) ? '\n' : ' ';
            } else {
                buf[i++] = ' ';
            }
        }
    }
    return n;
}

#endif
