/*
 * The ceiling for bench/http.sh: a bare libmicrohttpd server configured the
 * way src/http/server.c configures stagehand's (epoll thread pool, one
 * thread per core, turbo, same connection limits), answering every request
 * with one fixed JSON body from a response built once at start-up.
 *
 *   bench-hello PORT     listen on 127.0.0.1:PORT until SIGTERM or SIGINT
 */
#include <microhttpd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char body[] = "{\"status\":\"ok\"}";

static struct MHD_Response *ok_response;

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
	const char *method, const char *version, const char *upload_data,
	size_t *upload_data_size, void **con_cls)
{
	(void)cls; (void)url; (void)method; (void)version; (void)upload_data;
	/* The first call only announces the headers; answer on the second,
	 * as stagehand does, after any body has been read and dropped. */
	if (*con_cls == NULL) {
		*con_cls = (void *)1;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	return MHD_queue_response(conn, MHD_HTTP_OK, ok_response);
}

static int listen_socket(unsigned port)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 1024) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct MHD_Daemon *d;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long port;
	char *end = NULL;
	sigset_t set;
	int fd, sig = 0;

	if (argc != 2 || (port = strtoul(argv[1], &end, 10)) == 0 || *end != '\0' ||
		port > 65535) {
		fprintf(stderr, "usage: %s PORT\n", argv[0]);
		return 2;
	}
	/* Threads inherit the mask; only the main thread takes the signals. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	ok_response = MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body,
		MHD_RESPMEM_PERSISTENT);
	if (ok_response == NULL ||
		MHD_add_response_header(ok_response, MHD_HTTP_HEADER_CONTENT_TYPE,
			"application/json; charset=utf-8") != MHD_YES) {
		fprintf(stderr, "bench-hello: cannot build the response\n");
		return 1;
	}
	if ((fd = listen_socket((unsigned)port)) < 0) {
		fprintf(stderr, "bench-hello: cannot listen on 127.0.0.1:%lu: %m\n", port);
		return 1;
	}
	d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_TURBO,
		0, NULL, NULL, on_access, NULL,
		MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cores > 0 ? cores : 1),
		MHD_OPTION_CONNECTION_TIMEOUT, 60u,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
		MHD_OPTION_CONNECTION_LIMIT, 4096u,
		MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "bench-hello: cannot start the daemon\n");
		close(fd);
		return 1;
	}
	fprintf(stderr, "bench-hello listening on http://127.0.0.1:%lu\n", port);
	while (sigwait(&set, &sig) != 0)
		;
	MHD_stop_daemon(d);
	MHD_destroy_response(ok_response);
	return 0;
}
