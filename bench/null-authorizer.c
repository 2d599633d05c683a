/*
 * null-authorizer: a libfcgi Authorizer that allows everything and does
 * nothing else, threaded like sessgate. The floor the session check is
 * measured against: what lighttpd + FastCGI cost before any Redis work.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <fcgiapp.h>

static int fd;

static void *
worker(void *arg)
{
	static const char ok[] =
	    "Status: 200 OK\r\nVariable-REMOTE_USER: x\r\n\r\n";
	FCGX_Request r;

	(void)arg;
	FCGX_InitRequest(&r, fd, 0);
	while (FCGX_Accept_r(&r) >= 0) {
		FCGX_PutStr(ok, (int)strlen(ok), r.out);
		FCGX_Finish_r(&r);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t t[4];
	int	  i;

	if (argc != 2) {
		fprintf(stderr, "usage: null-authorizer SOCKET\n");
		return 2;
	}
	FCGX_Init();
	if ((fd = FCGX_OpenSocket(argv[1], 128)) == -1)
		return 1;
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	return 0;
}
