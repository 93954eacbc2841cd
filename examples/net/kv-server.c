/*
 * A key-value server cell: lines "SET key value" and "GET key" over TCP, answered with "OK" or
 * the value ("NOTFOUND" if none). Serves many clients at once (a poll loop) and exits once
 * CLIENTS clients have come and gone. See examples/net/kv.batch.
 *
 * Arguments: PORT CLIENTS
 */
#include "cella_net.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CONNS 64
#define MAX_KEYS 1024

static char *keys[MAX_KEYS];
static char *values[MAX_KEYS];
static int nkeys;

struct conn {
    int fd;
    size_t used;
    char buf[512];
};

static struct conn conns[MAX_CONNS];
static struct pollfd fds[MAX_CONNS + 1];

static const char *get(const char *k) {
    for (int i = 0; i < nkeys; i++) {
        if (strcmp(keys[i], k) == 0) {
            return values[i];
        }
    }
    return NULL;
}

static void set(const char *k, const char *v) {
    for (int i = 0; i < nkeys; i++) {
        if (strcmp(keys[i], k) == 0) {
            free(values[i]);
            values[i] = strdup(v);
            return;
        }
    }
    if (nkeys < MAX_KEYS) {
        keys[nkeys] = strdup(k);
        values[nkeys++] = strdup(v);
    }
}

static void reply(int fd, const char *s) {
    size_t len = strlen(s);
    if (write(fd, s, len) != (ssize_t) len || write(fd, "\n", 1) != 1) {
        perror("write");
    }
}

/* Handles each complete line in c's buffer. */
static void handle(struct conn *c) {
    char *nl;
    while ((nl = memchr(c->buf, '\n', c->used)) != NULL) {
        *nl = '\0';
        char *cmd = strtok(c->buf, " ");
        char *key = strtok(NULL, " ");
        char *val = strtok(NULL, "");
        if (cmd && key && val && strcmp(cmd, "SET") == 0) {
            set(key, val);
            reply(c->fd, "OK");
        } else if (cmd && key && strcmp(cmd, "GET") == 0) {
            const char *v = get(key);
            reply(c->fd, v ? v : "NOTFOUND");
        } else {
            reply(c->fd, "ERROR");
        }
        size_t len = (size_t) (nl + 1 - c->buf);
        memmove(c->buf, nl + 1, c->used - len);
        c->used -= len;
    }
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 7000;
    int clients = argc > 2 ? atoi(argv[2]) : 1;
    int done = 0;
    int n = 0;
    struct sockaddr_in addr;
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t) port);
    if (lfd < 0 || bind(lfd, (struct sockaddr *) &addr, sizeof addr) < 0 || listen(lfd, 16) < 0) {
        perror("kv-server");
        return 1;
    }
    while (done < clients) {
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
            ssize_t got = read(c->fd, c->buf + c->used, sizeof c->buf - 1 - c->used);
            if (got <= 0) {
                close(c->fd);
                conns[i] = conns[--n];
                done++;
                continue;
            }
            c->used += (size_t) got;
            handle(c);
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
    printf("kv-server: served %d clients, %d keys\n", done, nkeys);
    return 0;
}
