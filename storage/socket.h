/* storage/socket.h: node addresses and bounded connects, shared by the
 * storage client (conn.c) and the cluster proxy (cluster/proxy.c).
 *
 * A node address is "a.b.c.d:port" (an IPv4 literal, what dqlite 1.11
 * accepts) or "@name", a Linux abstract socket (same process only for a
 * dqlite node). Any thread may call. */
#ifndef CREEK_STORAGE_SOCKET_H
#define CREEK_STORAGE_SOCKET_H

#include <sys/socket.h>

#include "../lib/err.h"

/* Fill ss/len for address. CR_EINVAL if it is neither form. */
int storage_socket_address(const char *address, struct sockaddr_storage *ss, socklen_t *len,
			   struct cr_err *err);

/* Connect to address within timeout_ms (a blackholed peer must not hold a
 * thread for the kernel's two-minute SYN timeout). *fd_out is non-blocking,
 * close-on-exec, TCP_NODELAY for TCP; the caller owns it. CR_EINVAL: bad
 * address; CR_EUNAVAIL: refused, unreachable or timed out. */
int storage_socket_connect(const char *address, unsigned timeout_ms, int *fd_out,
			   struct cr_err *err);

#endif
