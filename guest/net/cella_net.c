/*
 * cella_net.c: the POSIX-style calls of cella_net.h over the "cella_net" host module. Each host
 * call returns a WASI errno, which is also wasi-libc's errno value.
 */
#include "cella_net.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

/* The host's address: family u16 (1, inet), port u16 (host order), IPv4 address (network order). */
struct cella_addr {
    uint16_t family;
    uint16_t port;
    uint8_t ip[4];
};

#define IMPORT(name) __attribute__((import_module("cella_net"), import_name(name)))

IMPORT("sock_open") int32_t __cella_sock_open(int32_t family, int32_t type, int32_t *fd);
IMPORT("sock_bind") int32_t __cella_sock_bind(int32_t fd, const struct cella_addr *addr);
IMPORT("sock_listen") int32_t __cella_sock_listen(int32_t fd, int32_t backlog);
IMPORT("sock_connect") int32_t __cella_sock_connect(int32_t fd, const struct cella_addr *addr);
IMPORT("sock_addr_local") int32_t __cella_sock_addr_local(int32_t fd, struct cella_addr *addr);
IMPORT("sock_addr_peer") int32_t __cella_sock_addr_peer(int32_t fd, struct cella_addr *addr);
IMPORT("resolve") int32_t __cella_resolve(const char *name, int32_t len, struct cella_addr *addr);

static int fail(int32_t err) {
    if (err != 0) {
        errno = err;
        return -1;
    }
    return 0;
}

static int from_sockaddr(const struct sockaddr *addr, socklen_t len, struct cella_addr *out) {
    const struct sockaddr_in *in = (const struct sockaddr_in *) addr;
    if (addr == NULL || len < (socklen_t) sizeof(struct sockaddr_in)) {
        errno = EINVAL;
        return -1;
    }
    if (in->sin_family != AF_INET) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    out->family = 1;
    out->port = ntohs(in->sin_port);
    memcpy(out->ip, &in->sin_addr.s_addr, 4);
    return 0;
}

static void to_sockaddr(const struct cella_addr *a, struct sockaddr *addr, socklen_t *len) {
    struct sockaddr_in in;
    if (addr == NULL || len == NULL) {
        return;
    }
    memset(&in, 0, sizeof in);
    in.sin_family = AF_INET;
    in.sin_port = htons(a->port);
    memcpy(&in.sin_addr.s_addr, a->ip, 4);
    memcpy(addr, &in, *len < sizeof in ? *len : sizeof in);
    *len = sizeof in;
}

int socket(int domain, int type, int protocol) {
    int32_t fd;
    int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
    type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (protocol != 0 && protocol != IPPROTO_TCP) {
        errno = EPROTONOSUPPORT;
        return -1;
    }
    if (fail(__cella_sock_open(domain, type, &fd)) < 0) {
        return -1;
    }
    if (flags & SOCK_NONBLOCK) {
        (void) !__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_NONBLOCK);
    }
    return fd;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
    struct cella_addr a;
    if (from_sockaddr(addr, len, &a) < 0) {
        return -1;
    }
    return fail(__cella_sock_bind(fd, &a));
}

int listen(int fd, int backlog) {
    return fail(__cella_sock_listen(fd, backlog));
}

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
    struct cella_addr a;
    if (from_sockaddr(addr, len, &a) < 0) {
        return -1;
    }
    return fail(__cella_sock_connect(fd, &a));
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len) {
    struct cella_addr a;
    if (fail(__cella_sock_addr_local(fd, &a)) < 0) {
        return -1;
    }
    to_sockaddr(&a, addr, len);
    return 0;
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *len) {
    struct cella_addr a;
    if (fail(__cella_sock_addr_peer(fd, &a)) < 0) {
        return -1;
    }
    to_sockaddr(&a, addr, len);
    return 0;
}

int setsockopt(int fd, int level, int name, const void *value, socklen_t len) {
    (void) level;
    (void) name;
    (void) value;
    (void) len;
    __wasi_fdstat_t st;
    return fail(__wasi_fd_fdstat_get(fd, &st));
}

int cella_accept(int fd, struct sockaddr *addr, socklen_t *len) {
    __wasi_fd_t conn;
    __wasi_errno_t err = __wasi_sock_accept(fd, 0, &conn);
    if (err != 0) {
        errno = err;
        return -1;
    }
    if (addr != NULL && len != NULL) {
        struct cella_addr a;
        if (__cella_sock_addr_peer(conn, &a) == 0) {
            to_sockaddr(&a, addr, len);
        }
    }
    return conn;
}

static int parse_port(const char *service, uint16_t *port) {
    char *end;
    long p;
    if (service == NULL) {
        *port = 0;
        return 0;
    }
    p = strtol(service, &end, 10);
    if (*service == '\0' || *end != '\0' || p < 0 || p > 65535) {
        if (strcmp(service, "http") == 0) {
            *port = 80;
            return 0;
        }
        return EAI_SERVICE;
    }
    *port = (uint16_t) p;
    return 0;
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res) {
    struct cella_addr a;
    struct addrinfo *ai;
    struct sockaddr_in *in;
    uint16_t port;
    int flags = hints ? hints->ai_flags : 0;
    int err;
    if (hints && hints->ai_family != AF_UNSPEC && hints->ai_family != AF_INET) {
        return EAI_FAMILY;
    }
    if (hints && hints->ai_socktype != 0 && hints->ai_socktype != SOCK_STREAM) {
        return EAI_SOCKTYPE;
    }
    if ((err = parse_port(service, &port)) != 0) {
        return err;
    }
    memset(&a, 0, sizeof a);
    a.family = 1;
    if (node == NULL) {
        uint32_t ip = htonl((flags & AI_PASSIVE) ? INADDR_ANY : INADDR_LOOPBACK);
        memcpy(a.ip, &ip, 4);
    } else if (inet_pton(AF_INET, node, a.ip) != 1) {
        if (flags & AI_NUMERICHOST) {
            return EAI_NONAME;
        }
        if (__cella_resolve(node, (int32_t) strlen(node), &a) != 0) {
            return EAI_NONAME;
        }
    }
    ai = calloc(1, sizeof *ai + sizeof *in);
    if (ai == NULL) {
        return EAI_MEMORY;
    }
    in = (struct sockaddr_in *) (ai + 1);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    memcpy(&in->sin_addr.s_addr, a.ip, 4);
    ai->ai_family = AF_INET;
    ai->ai_socktype = SOCK_STREAM;
    ai->ai_protocol = IPPROTO_TCP;
    ai->ai_addrlen = sizeof *in;
    ai->ai_addr = (struct sockaddr *) in;
    *res = ai;
    return 0;
}

void freeaddrinfo(struct addrinfo *res) {
    while (res != NULL) {
        struct addrinfo *next = res->ai_next;
        free(res);
        res = next;
    }
}

const char *gai_strerror(int error) {
    switch (error) {
    case EAI_NONAME: return "name not known (not a cell on this cell's networks, nor a granted host)";
    case EAI_FAMILY: return "address family not supported (IPv4 only)";
    case EAI_SOCKTYPE: return "socket type not supported (stream only)";
    case EAI_SERVICE: return "service not known (give a port number)";
    case EAI_MEMORY: return "out of memory";
    default: return "name resolution failed";
    }
}
