/*
 * fuzz_config: config_parse(), the configuration file (and through it the
 * listen and redis parsers, durations, sizes, words, the checks between
 * keys). An error names fuzz.conf:LINE; a configuration it accepts keeps
 * the promises the daemon relies on.
 */
#include "config/config.h"

#include "fuzz.h"

/* What a configuration that passed -n promises. */
static void
check_accepted(const struct config *c)
{
	const char *lr = c->login_redirect;

	FUZZ_ASSERT(
	    lr[0] == '\0' || (lr[0] == '/' && lr[1] != '/' && lr[1] != '\\'));
	FUZZ_ASSERT(c->login_path[0] == '/' && c->auth_path[0] == '/');
	FUZZ_ASSERT(c->listen_addr.is_unix || c->listen_addr.host[0] != '\0');
	FUZZ_ASSERT(c->threads >= 1 && c->threads <= 1024);
	FUZZ_ASSERT(
	    c->idle_timeout >= 1000 && c->absolute_timeout >= c->idle_timeout);
	FUZZ_ASSERT(c->redis_timeout >= 1);
	FUZZ_ASSERT(c->cookie_name[0] != '\0' && c->key_prefix[0] != '\0');
	FUZZ_ASSERT(
	    c->cookie_secure || strcmp(c->cookie_samesite, "None") != 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c, def;
	char	      err[CONFIG_ERRLEN];
	int64_t	      ms;
	size_t	      bytes;
	char	     *s;

	FUZZ_ASSERT(config_defaults(&def) == 0);
	FUZZ_ASSERT(config_defaults(&c) == 0);
	err[0] = '\0';
	if (config_parse(&c, "fuzz.conf", (const char *)data, size, err,
		sizeof(err)) == 0) {
		check_accepted(&c);
		(void)config_fixed_changed(&def, &c);
	} else
		FUZZ_ASSERT(strncmp(err, "fuzz.conf:", 10) == 0 &&
		    fuzz_terminated(err, sizeof(err)));
	config_free(&c);
	config_free(&def);
	if ((s = fuzz_string(data, size)) != NULL) {
		(void)config_duration(s, &ms);
		(void)config_size(s, &bytes);
		free(s);
	}
	return 0;
}
