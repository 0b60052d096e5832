/* storage/socket.c: see socket.h. */
#include "socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "../lib/parse.h"

int storage_socket_address(const char *address, struct sockaddr_storage *ss, socklen_t *len,
			   struct cr_err *err)
{
	memset(ss, 0, sizeof(*ss));
	if (address[0] == '@') {
		struct sockaddr_un *sun = (struct sockaddr_un *)ss;
		size_t n = strlen(address + 1);
		if (n == 0 || n >= sizeof(sun->sun_path) - 1)
			return cr_err_set(err, CR_EINVAL, "'%s' is not an abstract socket name",
					  address);
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path + 1, address + 1, n); /* abstract: leading NUL */
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
		return 0;
	}
	if (cr_parse_ipv4_port(address, err) < 0)
		return CR_EINVAL;
	{
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		char host[CR_HOST_MAX];
		uint16_t port = 0;
		(void)cr_parse_host_port(address, host, &port, NULL); /* an IPv4 literal: above */
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		(void)inet_pton(AF_INET, host, &sin->sin_addr);
		*len = sizeof(*sin);
	}
	return 0;
}

static int wait_connected(int fd, unsigned timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int so_err = 0;
	socklen_t len = sizeof(so_err);
	int n;

	do
		n = poll(&p, 1, (int)timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return ETIMEDOUT;
	if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_err, &len) < 0)
		return errno;
	return so_err;
}

int storage_socket_connect(const char *address, unsigned timeout_ms, int *fd_out,
			   struct cr_err *err)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	int sys_err = 0;
	int fd;

	if (storage_socket_address(address, &ss, &len, err) < 0)
		return CR_EINVAL;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		sys_err = errno;
	else if (connect(fd, (struct sockaddr *)&ss, len) < 0)
		sys_err = errno == EINPROGRESS ? wait_connected(fd, timeout_ms) : errno;
	if (sys_err != 0) {
		if (fd >= 0)
			close(fd);
		return cr_err_set(err, CR_EUNAVAIL, "cannot connect to '%s': %s", address,
				  strerror(sys_err));
	}
	if (ss.ss_family == AF_INET) {
		int one = 1;
		/* Without NODELAY, small requests stall on Nagle + delayed ACK. */
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	*fd_out = fd;
	return 0;
}
