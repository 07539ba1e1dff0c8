/*
 * nodelay.so: an LD_PRELOAD shim that turns Nagle's algorithm off
 * (TCP_NODELAY) on every TCP socket a program connects or accepts.
 *
 * Why: Kannel 1.4.5 (Debian's kannel package) never sets TCP_NODELAY. Its
 * SMPP client answers an MO deliver_sm with a small deliver_sm_resp and,
 * moments later, sends the reply's small submit_sm on the same socket; the
 * bearerbox <-> smsbox link does the same with an ack followed by the reply
 * message. With Nagle on, the second small write waits until the first is
 * acknowledged, and the peer (which has nothing to send until the reply
 * arrives) delays that ACK for its delayed-ACK timer, about 40 ms on Linux.
 * So every reply stalls ~40 ms and one in-flight message caps a bind at
 * ~25 replies a second: a measure of a socket option, not of Kannel.
 * Preloading this shim measures Kannel as it would run with the option set
 * (scripts/bench.d/kannel_peer.sh runs both; docs/kannel-peer.md).
 *
 * Built at run time by kannel_peer.sh:
 *   cc -shared -fPIC -O2 -o nodelay.so nodelay.c -ldl
 * Each wrapper calls the real libc function found with dlsym(RTLD_NEXT) and
 * sets the option on AF_INET/AF_INET6 stream sockets only (Unix sockets and
 * UDP are left alone). errno is that of the real call: the setsockopt's own
 * result is ignored, as a failure there only means Nagle stays on.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <sys/socket.h>

typedef int (*connect_fn)(int, const struct sockaddr*, socklen_t);
typedef int (*accept_fn)(int, struct sockaddr*, socklen_t*);
typedef int (*accept4_fn)(int, struct sockaddr*, socklen_t*, int);

static connect_fn real_connect;
static accept_fn real_accept;
static accept4_fn real_accept4;

/* Resolved once when the shim is loaded, before the program starts any
 * thread, so the wrappers only read these pointers afterwards. */
__attribute__((constructor)) static void resolve(void) {
    real_connect = (connect_fn)dlsym(RTLD_NEXT, "connect");
    real_accept = (accept_fn)dlsym(RTLD_NEXT, "accept");
    real_accept4 = (accept4_fn)dlsym(RTLD_NEXT, "accept4");
}

/* Sets TCP_NODELAY on fd when it is a TCP socket; keeps errno as it was. */
static void set_nodelay(int fd) {
    int saved = errno;
    int domain = 0, type = 0;
    socklen_t len = sizeof domain;
    if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 &&
        (domain == AF_INET || domain == AF_INET6)) {
        len = sizeof type;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM) {
            int one = 1;
            (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
    }
    errno = saved;
}

/* The option may be set before connecting and is kept by the connection;
 * setting it first also covers a non-blocking connect (EINPROGRESS). */
int connect(int fd, const struct sockaddr* addr, socklen_t len) {
    if (!real_connect) resolve(); /* called from another library's constructor */
    if (!real_connect) {
        errno = ENOSYS;
        return -1;
    }
    set_nodelay(fd);
    return real_connect(fd, addr, len);
}

int accept(int fd, struct sockaddr* addr, socklen_t* len) {
    if (!real_accept) resolve();
    if (!real_accept) {
        errno = ENOSYS;
        return -1;
    }
    int s = real_accept(fd, addr, len);
    if (s >= 0) set_nodelay(s);
    return s;
}

int accept4(int fd, struct sockaddr* addr, socklen_t* len, int flags) {
    if (!real_accept4) resolve();
    if (!real_accept4) {
        errno = ENOSYS;
        return -1;
    }
    int s = real_accept4(fd, addr, len, flags);
    if (s >= 0) set_nodelay(s);
    return s;
}
