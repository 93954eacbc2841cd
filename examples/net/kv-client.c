/*
 * A client cell of kv-server: connects to HOST:PORT by name (a cell on the same network), sets
 * KEY to VALUE, reads it back and prints what the server said.
 *
 * Arguments: HOST PORT KEY VALUE
 */
#include "cella_net.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Reads one line (without its newline) into buf; returns its length or -1. */
static int read_line(int fd, char *buf, size_t cap) {
    size_t used = 0;
    while (used + 1 < cap) {
        ssize_t got = read(fd, buf + used, 1);
        if (got <= 0) {
            return -1;
        }
        if (buf[used] == '\n') {
            break;
        }
        used++;
    }
    buf[used] = '\0';
    return (int) used;
}

int main(int argc, char **argv) {
    struct addrinfo hints, *res;
    char line[256];
    if (argc != 5) {
        fprintf(stderr, "usage: kv-client HOST PORT KEY VALUE\n");
        return 2;
    }
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    int err = getaddrinfo(argv[1], argv[2], &hints, &res);
    if (err != 0) {
        fprintf(stderr, "kv-client: %s: %s\n", argv[1], gai_strerror(err));
        return 1;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    /* The server may not listen yet when the batch starts: retry a refused connect for a while. */
    int tries = 0;
    while (connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
        if (errno != ECONNREFUSED || ++tries == 2000) {
            perror("kv-client: connect");
            return 1;
        }
        usleep(1000);
    }
    freeaddrinfo(res);
    dprintf(fd, "SET %s %s\nGET %s\n", argv[3], argv[4], argv[3]);
    if (read_line(fd, line, sizeof line) < 0 || strcmp(line, "OK") != 0) {
        fprintf(stderr, "kv-client: SET failed: %s\n", line);
        return 1;
    }
    if (read_line(fd, line, sizeof line) < 0) {
        fprintf(stderr, "kv-client: GET failed\n");
        return 1;
    }
    printf("%s=%s\n", argv[3], line);
    close(fd);
    return 0;
}
