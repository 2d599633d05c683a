/*
 * store.c: what every store backend shares: the session policy taken from
 * the configuration.
 */
#include "store.h"

#include <stdio.h>

void
store_params_init(struct store_params *p, const struct config *cfg)
{
	snprintf(p->key_prefix, sizeof(p->key_prefix), "%s", cfg->key_prefix);
	p->idle_timeout = cfg->idle_timeout;
	p->absolute_timeout = cfg->absolute_timeout;
	p->max_sessions = cfg->max_sessions;
	p->session_limit = cfg->session_limit;
	p->login_failure_window = cfg->login_failure_window;
}
