/*
 * Probes every socket call and its errors from inside a cell, printing one line per check:
 * "NAME: RESULT" where RESULT is "ok", an errno name, or a value. NetProbeTest runs it and
 * compares the lines; docs/network.md lists the errors it shows.
 *
 * Arguments: local | quota | bytes | hold | spin | escape HOSTPORT_GRANTED HOSTPORT_NOT_GRANTED
 */
#include "cella_net.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

static const char *name(int e) {
    switch (e) {
    case 0: return "ok";
    case EACCES: return "EACCES";
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EAGAIN: return "EAGAIN";
    case EBADF: return "EBADF";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ECONNRESET: return "ECONNRESET";
    case EDQUOT: return "EDQUOT";
    case EINVAL: return "EINVAL";
    case EISCONN: return "EISCONN";
    case EMFILE: return "EMFILE";
    case ENOTCONN: return "ENOTCONN";
    case ENOTSOCK: return "ENOTSOCK";
    case EPIPE: return "EPIPE";
    case EPROTOTYPE: return "EPROTOTYPE";
    default: return "other";
    }
}

static void report(const char *what, int rc) {
    printf("%s: %s\n", what, rc < 0 ? name(errno) : "ok");
}

static struct sockaddr_in at(const char *ip, int port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t) port);
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

#define SA(a) ((struct sockaddr *) &(a)), sizeof(a)

static void set_nonblock(int fd) {
    (void) !__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_NONBLOCK);
}

/* A listener on loopback port and a connected pair (client, server) through it. */
static int pair(int port, int *client, int *server) {
    struct sockaddr_in a = at("127.0.0.1", port);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    if (bind(l, SA(a)) < 0 || listen(l, 4) < 0) {
        return -1;
    }
    *client = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(*client, SA(a)) < 0) {
        return -1;
    }
    *server = accept(l, NULL, NULL);
    return l;
}

static void local(void) {
    char buf[256];
    struct sockaddr_in a;
    socklen_t len;
    int c, s, l;

    report("socket inet6", socket(AF_INET6, SOCK_STREAM, 0));
    report("socket dgram", socket(AF_INET, SOCK_DGRAM, 0));

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    a = at("127.0.0.1", 9);
    report("connect no listener", connect(fd, SA(a)));
    a = at("8.8.8.8", 53);
    report("connect host not granted", connect(fd, SA(a)));
    a = at("10.200.0.7", 80);
    report("connect unknown network", connect(fd, SA(a)));
    a = at("8.8.8.8", 80);
    report("bind foreign address", bind(fd, SA(a)));
    a = at("0.0.0.0", 5000);
    report("bind any", bind(fd, SA(a)));
    int fd2 = socket(AF_INET, SOCK_STREAM, 0);
    report("bind port in use", bind(fd2, SA(a)));
    report("recv unconnected", (int) recv(fd, buf, 1, 0));
    report("shutdown unconnected", shutdown(fd, SHUT_WR));
    close(fd);
    close(fd2);

    struct addrinfo *res;
    printf("getaddrinfo localhost: %d\n", getaddrinfo("localhost", "80", NULL, &res));
    printf("getaddrinfo example.com: %s\n", getaddrinfo("example.com", "80", NULL, &res) == EAI_NONAME ? "EAI_NONAME" : "other");

    l = pair(6000, &c, &s);
    report("loopback pair", l < 0 || s < 0 ? -1 : 0);
    len = sizeof a;
    getpeername(s, (struct sockaddr *) &a, &len);
    printf("server's peer is loopback: %d\n", a.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    len = sizeof a;
    getsockname(l, (struct sockaddr *) &a, &len);
    printf("listener port: %d\n", ntohs(a.sin_port));
    report("connect connected", connect(c, SA(a)));
    __wasi_fdstat_t st;
    (void) !__wasi_fd_fdstat_get(c, &st);
    printf("filetype: %s\n", st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM ? "socket_stream" : "other");

    printf("send: %zd\n", send(c, "hello", 5, 0));
    printf("peek: %zd\n", recv(s, buf, sizeof buf, MSG_PEEK));
    printf("recv: %zd %.5s\n", recv(s, buf, sizeof buf, 0), buf);

    set_nonblock(s);
    report("recv nonblocking empty", (int) recv(s, buf, sizeof buf, 0));
    set_nonblock(l);
    report("accept nonblocking empty", accept(l, NULL, NULL));
    struct pollfd p = {s, POLLIN, 0};
    printf("poll empty with timeout: %d\n", poll(&p, 1, 5));
    write(c, "x", 1);
    printf("poll with data: %d revents POLLIN %d\n", poll(&p, 1, 1000), (p.revents & POLLIN) != 0);
    read(s, buf, 1);

    /* Backpressure: a non-blocking writer fills the connection's buffer, then gets EAGAIN. */
    set_nonblock(c);
    long total = 0;
    ssize_t n;
    static char big[65536];
    while ((n = write(c, big, sizeof big)) > 0) {
        total += n;
    }
    printf("filled %ld then %s\n", total, name(errno));
    struct pollfd pw = {c, POLLOUT, 0};
    printf("poll full for write: %d\n", poll(&pw, 1, 0));

    /* Orderly close: the peer reads the end of the stream after the data. */
    int c2, s2;
    int l2 = pair(6001, &c2, &s2);
    write(c2, "bye", 3);
    shutdown(c2, SHUT_WR);
    printf("read after shutdown: %zd", read(s2, buf, sizeof buf));
    printf(" then %zd\n", read(s2, buf, sizeof buf));
    report("write after shutdown", (int) write(c2, "x", 1));
    close(s2);
    report("send to closed peer", (int) send(c2, "x", 1, 0));
    close(c2);
    close(l2);

    /* Abortive close: closing with unread data resets the connection. */
    int c3, s3;
    int l3 = pair(6002, &c3, &s3);
    write(c3, "unread", 6);
    close(s3);
    report("recv after reset", (int) recv(c3, buf, sizeof buf, 0));
    close(c3);

    /* A listener that closes resets the connections it had not accepted. */
    int c4 = socket(AF_INET, SOCK_STREAM, 0);
    a = at("127.0.0.1", 6002);
    report("connect queued", connect(c4, SA(a)));
    close(l3);
    report("recv after listener closed", (int) recv(c4, buf, 1, 0));
    a = at("127.0.0.1", 6002);
    int c5 = socket(AF_INET, SOCK_STREAM, 0);
    report("connect after listener closed", connect(c5, SA(a)));

    int file = open("/f", O_CREAT | O_RDWR, 0644);
    report("accept on a file", accept(file, NULL, NULL));
    report("send on a file", (int) send(file, "x", 1, 0));
}

/* Every path out to the host: only the granted address and port connect. */
static void escape(int granted, int other) {
    struct sockaddr_in a;
    struct addrinfo *res;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    a = at("127.0.0.1", granted);
    report("connect granted", connect(fd, SA(a)));
    write(fd, "ping\n", 5);
    close(fd);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    a = at("127.0.0.1", other);
    report("connect loopback port not granted", connect(fd, SA(a)));
    a = at("127.0.0.2", granted);
    report("connect other loopback address", connect(fd, SA(a)));
    a = at("0.0.0.0", granted);
    report("connect any address", connect(fd, SA(a)));
    a = at("10.0.0.1", granted);
    report("connect private address", connect(fd, SA(a)));
    printf("resolve host name: %s\n", getaddrinfo("localhost.localdomain", "80", NULL, &res) == EAI_NONAME ? "EAI_NONAME" : "resolved");
    a = at("192.168.1.1", granted);
    report("bind host address", bind(fd, SA(a)));
    close(fd);
}

/* Runs into each network quota in turn and prints where it stopped. */
static void quota(void) {
    int fds[64];
    int n = 0;
    while (n < 64 && (fds[n] = socket(AF_INET, SOCK_STREAM, 0)) >= 0) {
        n++;
    }
    printf("sockets opened: %d then %s\n", n, name(errno));
    while (n > 0) {
        close(fds[--n]);
    }
    struct sockaddr_in a = at("127.0.0.1", 7100);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    bind(l, SA(a));
    listen(l, 8);
    int connects = 0;
    while (connects < 64) {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(c, SA(a)) < 0) {
            close(c);
            break;
        }
        connects++;
        close(accept(l, NULL, NULL));
        close(c);
    }
    printf("connects: %d then %s\n", connects, name(errno));
    close(l);
}

static void bytes(void) {
    int c, s;
    int l = pair(7200, &c, &s);
    static char buf[300];
    long sent = 0, received = 0;
    ssize_t n;
    while (1) {
        if ((n = send(c, buf, sizeof buf, 0)) < 0) {
            printf("sent: %ld then %s\n", sent, name(errno));
            break;
        }
        sent += n;
        if ((n = recv(s, buf, sizeof buf, 0)) < 0) {
            printf("received: %ld then %s\n", received, name(errno));
            break;
        }
        received += n;
    }
    close(l);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1 && strcmp(argv[1], "local") == 0) {
        local();
    } else if (argc > 1 && strcmp(argv[1], "quota") == 0) {
        quota();
    } else if (argc > 1 && strcmp(argv[1], "bytes") == 0) {
        bytes();
    } else if (argc > 1 && strcmp(argv[1], "hold") == 0) {
        int c, s;
        pair(7300, &c, &s);
        printf("holding\n");
        char b;
        return (int) read(s, &b, 1); /* blocks until the peer writes: the cell is killed or checkpointed meanwhile */
    } else if (argc > 1 && strcmp(argv[1], "spin") == 0) {
        int c, s;
        pair(7400, &c, &s);
        volatile unsigned long i = 0;
        while (i < 4000000000UL) { /* a long computation with a connection open: the cell is suspended meanwhile */
            i++;
        }
        return 0;
    } else if (argc > 3 && strcmp(argv[1], "escape") == 0) {
        escape(atoi(argv[2]), atoi(argv[3]));
    } else {
        fprintf(stderr, "usage: net-probe local | quota | bytes | hold | spin | escape GRANTED OTHER\n");
        return 2;
    }
    return 0;
}
