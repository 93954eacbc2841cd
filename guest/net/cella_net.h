/*
 * cella_net.h: POSIX-style sockets for guests of Cella's virtual network (docs/network.md).
 *
 * WASI preview 1 has accept, recv, send and shutdown but no socket, bind, listen, connect or
 * name lookup; wasi-libc hides their declarations. This header declares them, with
 * getaddrinfo/freeaddrinfo/gai_strerror, over the host module "cella_net" (docs/host-abi.md),
 * so ordinary C networking code builds with:
 *
 *     clang --target=wasm32-wasi -O2 -I guest/net prog.c guest/net/cella_net.c -o prog.wasm
 *
 * Only IPv4 stream sockets exist. Names resolve to cells on the cell's networks, "localhost",
 * or hosts the cell was granted (--connect-allow); the host's resolver is never asked for others.
 */
#ifndef CELLA_NET_H
#define CELLA_NET_H

#include <netinet/in.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

int socket(int domain, int type, int protocol);
int bind(int fd, const struct sockaddr *addr, socklen_t len);
int listen(int fd, int backlog);
int connect(int fd, const struct sockaddr *addr, socklen_t len);
int getsockname(int fd, struct sockaddr *addr, socklen_t *len);
int getpeername(int fd, struct sockaddr *addr, socklen_t *len);
/* Accepted and ignored: SO_REUSEADDR, TCP_NODELAY and the like change nothing on a virtual network. */
int setsockopt(int fd, int level, int name, const void *value, socklen_t len);

/* wasi-libc's accept writes through addr and addrlen unconditionally; this one allows NULL and
 * fills in the peer's address. */
int cella_accept(int fd, struct sockaddr *addr, socklen_t *len);
#define accept(fd, addr, len) cella_accept((fd), (addr), (len))

#ifndef SO_REUSEADDR
#define SO_REUSEADDR 2
#endif
#ifndef INADDR_ANY
#define INADDR_ANY ((in_addr_t) 0x00000000)
#endif
#ifndef INADDR_LOOPBACK
#define INADDR_LOOPBACK ((in_addr_t) 0x7f000001)
#endif

struct addrinfo {
    int ai_flags;
    int ai_family;
    int ai_socktype;
    int ai_protocol;
    socklen_t ai_addrlen;
    struct sockaddr *ai_addr;
    char *ai_canonname;
    struct addrinfo *ai_next;
};

#define AI_PASSIVE 0x01
#define AI_CANONNAME 0x02
#define AI_NUMERICHOST 0x04
#define AI_NUMERICSERV 0x400

#define EAI_BADFLAGS -1
#define EAI_NONAME -2
#define EAI_AGAIN -3
#define EAI_FAIL -4
#define EAI_FAMILY -6
#define EAI_SOCKTYPE -7
#define EAI_SERVICE -8
#define EAI_MEMORY -10
#define EAI_SYSTEM -11

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res);
void freeaddrinfo(struct addrinfo *res);
const char *gai_strerror(int error);

#ifdef __cplusplus
}
#endif

#endif
