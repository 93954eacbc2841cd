/*
 * A small HTTP/1.1 server for a cell: serves one page at every path, with keep-alive, to many
 * clients at once (a poll loop). Run it with the host port granted:
 *
 *     cella run --listen 127.0.0.1:8080 examples/net/http-server.wasm 8080
 *     curl http://127.0.0.1:8080/
 *
 * Arguments: PORT [REQUESTS]: exits after REQUESTS requests (default: never).
 */
#define _GNU_SOURCE
#include "cella_net.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CONNS 256
#define BUF 4096

static const char PAGE[] =
    "<!doctype html><html><head><title>Cella</title></head>"
    "<body><h1>Hello from a cell</h1><p>Served by a WebAssembly guest on Cella's virtual network.</p></body></html>\n";

struct conn {
    int fd;
    size_t used;
    char buf[BUF];
};

static struct conn conns[MAX_CONNS];
static struct pollfd fds[MAX_CONNS + 1];

/* Answers every complete request in c's buffer; returns -1 to close the connection. */
static int serve(struct conn *c, long *served) {
    char *end;
    while ((end = memmem(c->buf, c->used, "\r\n\r\n", 4)) != NULL) {
        size_t len = (size_t) (end + 4 - c->buf);
        int close_after = memmem(c->buf, len, "Connection: close", 17) != NULL;
        char out[512];
        int n = snprintf(out, sizeof out,
                         "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %zu\r\n%s\r\n%s",
                         sizeof PAGE - 1, close_after ? "Connection: close\r\n" : "", PAGE);
        if (n >= (int) sizeof out || write(c->fd, out, (size_t) n) != n) { /* one write per response */
            return -1;
        }
        memmove(c->buf, c->buf + len, c->used - len);
        c->used -= len;
        (*served)++;
        if (close_after) {
            return -1;
        }
    }
    return c->used == BUF ? -1 : 0; /* a request larger than the buffer is refused */
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 8080;
    long limit = argc > 2 ? atol(argv[2]) : -1;
    long served = 0;
    int n = 0;
    struct sockaddr_in addr;
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0) {
        perror("socket");
        return 1;
    }
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t) port);
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(lfd, (struct sockaddr *) &addr, sizeof addr) < 0 || listen(lfd, 128) < 0) {
        perror("bind/listen");
        return 1;
    }
    fprintf(stderr, "http-server: listening on port %d\n", port);
    while (limit < 0 || served < limit) {
        fds[0].fd = lfd;
        fds[0].events = POLLIN;
        for (int i = 0; i < n; i++) {
            fds[i + 1].fd = conns[i].fd;
            fds[i + 1].events = POLLIN;
        }
        if (poll(fds, n + 1, -1) < 0) {
            perror("poll");
            return 1;
        }
        for (int i = n - 1; i >= 0; i--) {
            if (!(fds[i + 1].revents & (POLLIN | POLLHUP | POLLERR))) {
                continue;
            }
            struct conn *c = &conns[i];
            ssize_t got = read(c->fd, c->buf + c->used, BUF - c->used);
            if (got > 0) {
                c->used += (size_t) got;
            }
            if (got <= 0 || serve(c, &served) < 0) {
                close(c->fd);
                conns[i] = conns[--n];
            }
        }
        if ((fds[0].revents & POLLIN) && n < MAX_CONNS) {
            int fd = accept(lfd, NULL, NULL);
            if (fd >= 0) {
                conns[n].fd = fd;
                conns[n].used = 0;
                n++;
            }
        }
    }
    fprintf(stderr, "http-server: served %ld requests\n", served);
    return 0;
}
