/*
 * The guests of benchmarks' NetBenchmark: bulk transfer and small round trips between two cells.
 *
 *   bulk-server PORT            accepts one connection, reads it to the end, prints the bytes read
 *   bulk-client HOST PORT MB BUF  sends MB mebibytes in writes of BUF bytes, then closes
 *   pp-server PORT              accepts one connection, echoes 64-byte messages until the end
 *   pp-client HOST PORT N       sends N 64-byte messages, each after the previous one's echo
 */
#include "cella_net.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char buf[1 << 20];

static int serve(int port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t) port);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    if (bind(l, (struct sockaddr *) &a, sizeof a) < 0 || listen(l, 1) < 0) {
        perror("listen");
        exit(1);
    }
    return accept(l, NULL, NULL);
}

static int dial(const char *host, const char *port) {
    struct addrinfo *res;
    if (getaddrinfo(host, port, NULL, &res) != 0) {
        fprintf(stderr, "net-bench: cannot resolve %s\n", host);
        exit(1);
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    while (connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
        if (errno != ECONNREFUSED) {
            perror("connect");
            exit(1);
        }
        usleep(100); /* the server is not listening yet */
    }
    freeaddrinfo(res);
    return fd;
}

/* Reads exactly len bytes; returns 0 at a premature end. */
static int read_full(int fd, char *p, size_t len) {
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n <= 0) {
            return 0;
        }
        p += n;
        len -= (size_t) n;
    }
    return 1;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "bulk-server") == 0) {
        int fd = serve(atoi(argv[2]));
        long long total = 0;
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0) {
            total += n;
        }
        printf("%lld\n", total);
        return 0;
    }
    if (argc == 6 && strcmp(argv[1], "bulk-client") == 0) {
        int fd = dial(argv[2], argv[3]);
        long long left = atoll(argv[4]) << 20;
        size_t chunk = (size_t) atol(argv[5]);
        while (left > 0) {
            size_t n = left < (long long) chunk ? (size_t) left : chunk;
            if (write(fd, buf, n) != (ssize_t) n) {
                perror("write");
                return 1;
            }
            left -= (long long) n;
        }
        close(fd);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "pp-server") == 0) {
        int fd = serve(atoi(argv[2]));
        while (read_full(fd, buf, 64)) {
            if (write(fd, buf, 64) != 64) {
                return 1;
            }
        }
        return 0;
    }
    if (argc == 5 && strcmp(argv[1], "pp-client") == 0) {
        int fd = dial(argv[2], argv[3]);
        long n = atol(argv[4]);
        for (long i = 0; i < n; i++) {
            if (write(fd, buf, 64) != 64 || !read_full(fd, buf, 64)) {
                perror("round trip");
                return 1;
            }
        }
        close(fd);
        return 0;
    }
    fprintf(stderr, "usage: see net-bench.c\n");
    return 2;
}
