/*
 * endpoint_sessions.c: a user's own sessions (issue 15). GET lists the
 * live sessions of the user whose session the request presents, newest
 * first: an HTML page, or JSON for a client whose Accept names
 * application/json before text/html (or without it). POST ends one of
 * them (id=REF) or all but this one (others=1), then goes back to the
 * page (303); ending this one clears the cookie and goes to the login
 * page.
 *
 * A REF is looked up only in this user's own listing, whole and exact
 * (TOKEN_REFLEN characters, compared with sodium_memcmp over every
 * entry): a prefix, another user's REF or one that matches no session
 * is a 404 and ends nothing. Nothing is written to know when a session
 * was last seen: its idle expiry says it (see last_seen()).
 */
#include "handler/endpoint_sessions.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "core/json.h"
#include "core/log.h"
#include "core/metrics.h"
#include "http/form.h"
#include "http/html.h"
#include "http/html_sessions.h"

/*
 * The page shows (and id=REF finds) the newest sessions only: with
 * max_sessions 0 a user may have thousands, and each GET would have
 * Redis read them all while every other check waits.
 */
#define SESSIONS_PAGE_MAX 50

/* The user's live sessions, as the store listed them (oldest first). */
struct listing {
	struct store_session *v;
	size_t		      n, cap;
	int		      oom;
};

static int
collect(const struct store_session *ss, void *arg)
{
	struct listing	     *l = arg;
	struct store_session *v;
	size_t		      cap;

	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 8;
		if ((v = reallocarray(l->v, cap, sizeof(*v))) == NULL) {
			l->oom = 1;
			return 1;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *ss;
	return 0;
}

static void
listing_free(struct listing *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/*
 * SG_OK with l filled (the newest sessions only, unless newest is 0), or
 * what the store said (an error log line's).
 */
static enum sg_result
listing_read(const struct handler_ctx *h, const char *user, size_t newest,
    struct listing *l)
{
	enum sg_result rv;

	memset(l, 0, sizeof(*l));
	rv = store_session_list_newest(h->store, user, newest, collect, l);
	if (rv == SG_NO_USER) /* deleted meanwhile: nothing live */
		rv = SG_OK;
	if (rv == SG_OK && l->oom)
		rv = SG_UNAVAILABLE;
	if (rv != SG_OK)
		listing_free(l);
	return rv;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * When the session was last used, told from its idle expiry: every check
 * that slides sets it to idle_timeout from then, so now - (idle_timeout -
 * ttl). Coarse: a passive check does not slide, and near the absolute
 * deadline the expiry is the deadline's; kept within [created, now].
 */
static int64_t
last_seen(const struct store_session *ss, int64_t idle, int64_t now)
{
	int64_t t = now - (idle - ss->ttl);

	if (t > now)
		t = now;
	if (t < ss->rec.created)
		t = ss->rec.created;
	return t;
}

/* The rows of the page, newest first; refs holds their references. */
static struct html_session *
rows_make(const struct handler_ctx *h, const struct listing *l,
    const char *current, char (*refs)[TOKEN_REFLEN + 1])
{
	struct html_session *rows;
	int64_t		     now = now_ms();
	size_t		     i;

	if ((rows = calloc(l->n ? l->n : 1, sizeof(*rows))) == NULL)
		return NULL;
	for (i = 0; i < l->n; i++) {
		const struct store_session *ss = &l->v[l->n - 1 - i];

		token_ref(ss->id, refs[i]);
		rows[i].ref = refs[i];
		rows[i].addr = ss->rec.addr;
		rows[i].agent = ss->rec.agent;
		rows[i].created = ss->rec.created / 1000;
		rows[i].last_seen =
		    last_seen(ss, h->cfg->idle_timeout, now) / 1000;
		rows[i].current = strcmp(ss->id, current) == 0;
	}
	return rows;
}

/*
 * Where Accept names the media type t as a whole ("application/json",
 * not "application/jsonx"), or NULL.
 */
static const char *
media(const char *accept, const char *t)
{
	const char *p = accept;
	size_t	    n = strlen(t);

	while ((p = strcasestr(p, t)) != NULL) {
		if ((p == accept || strchr(", \t", p[-1]) != NULL) &&
		    strchr(",; \t", p[n]) != NULL) /* (p[n] '\0' too) */
			return p;
		p += n;
	}
	return NULL;
}

/* Accept names application/json, and not after text/html (q ignored). */
static int
wants_json(const struct request *req)
{
	const char *j, *html;

	if (req->accept == NULL ||
	    (j = media(req->accept, "application/json")) == NULL)
		return 0;
	html = media(req->accept, "text/html");
	return html == NULL || j < html;
}

/* {"sessions":[{"id":REF,"created":S,"last_seen":S,...}]} */
static char *
rows_json(const struct html_session *rows, size_t n)
{
	cJSON *root, *a, *o;
	char  *out = NULL;
	size_t i;

	if ((root = cJSON_CreateObject()) == NULL)
		return NULL;
	if ((a = cJSON_AddArrayToObject(root, "sessions")) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		if ((o = json_append_object(a)) == NULL)
			goto fail;
		if (cJSON_AddStringToObject(o, "id", rows[i].ref) == NULL ||
		    cJSON_AddNumberToObject(o, "created",
			(double)rows[i].created) == NULL ||
		    cJSON_AddNumberToObject(o, "last_seen",
			(double)rows[i].last_seen) == NULL ||
		    cJSON_AddStringToObject(o, "address", rows[i].addr) ==
			NULL ||
		    cJSON_AddStringToObject(o, "agent", rows[i].agent) ==
			NULL ||
		    cJSON_AddBoolToObject(o, "current", rows[i].current) ==
			NULL)
			goto fail;
	}
	out = cJSON_PrintUnformatted(root);
fail:
	cJSON_Delete(root);
	return out;
}

/* The page or the JSON of l into resp. */
static void
sessions_answer(const struct handler_ctx *h, const struct request *req,
    struct response *resp, const char *user, const struct listing *l,
    const char *current)
{
	char(*refs)[TOKEN_REFLEN + 1] = calloc(l->n ? l->n : 1, sizeof(*refs));
	struct html_session *rows = NULL;
	char		    *body = NULL;
	size_t		     len = 0;
	int		     json = wants_json(req);

	if (refs != NULL && (rows = rows_make(h, l, current, refs)) != NULL) {
		if (json && (body = rows_json(rows, l->n)) != NULL)
			len = strlen(body);
		else if (!json)
			body = html_sessions_page(&h->cfg->page_frame,
			    h->cfg->sessions_path, user, rows, l->n,
			    l->n >= SESSIONS_PAGE_MAX, &len);
	}
	free(rows);
	free(refs);
	if (body == NULL) {
		log_warnx("%s %s: out of memory", req->remote_addr, req->uri);
		response_error(resp, 500, "internal error");
		return;
	}
	response_reset(resp, 200);
	response_header(resp, "Cache-Control", "no-store");
	response_header(resp, "Vary", "Accept, Cookie");
	response_body_owned(resp,
	    json ? "application/json" : "text/html; charset=utf-8", body, len);
}

/*
 * The live session the request presents: SG_OK with f filled; otherwise
 * resp holds the answer (unauthenticated, malformed, 503). With
 * sessions_path under reauth_paths (ASVS 5.0 7.5.2: sessions are ended
 * "having authenticated again"), a session whose password is older than
 * reauth_timeout is sent to confirm it first, as on any reauth path: a
 * browser (a page, or the page's form) to the confirm form, back here
 * after; anything else 401.
 */
static enum sg_result
presented(const struct handler_ctx *h, const struct request *req,
    struct response *resp, const struct session_ctx *c, struct session_found *f)
{
	enum sg_result rv = session_find_seen(c, f);

	if (rv != SG_OK) {
		endpoint_no_session(h, req, resp, rv, "sessions");
		return rv;
	}
	if (!session_reauth_due(h->cfg, req->uri, &f->seen))
		return SG_OK;
	log_info("%s %s: %s must confirm the password first", req->remote_addr,
	    req->uri, f->seen.user);
	if (h->cfg->login_redirect[0] && endpoint_wants_html(req))
		endpoint_redirect_login(h->cfg, req, resp, 1);
	else
		endpoint_unauthenticated(resp);
	return SG_DENY;
}

void
endpoint_sessions(const struct handler_ctx *h, struct request *req,
    struct response *resp)
{
	struct session_ctx   c = endpoint_session(h, req);
	struct session_found f;
	struct listing	     l;

	if (presented(h, req, resp, &c, &f) != SG_OK)
		return;
	if (listing_read(h, f.seen.user, SESSIONS_PAGE_MAX, &l) != SG_OK) {
		endpoint_unavailable(h, req, resp, "sessions");
		return;
	}
	sessions_answer(h, req, resp, f.seen.user, &l, f.id);
	listing_free(&l);
}

/* One session ended here: audit, log, count. */
static void
ended(const struct session_ctx *c, const char *user, const char *id,
    const char *reason)
{
	char ref[TOKEN_REFLEN + 1];

	token_ref(id, ref);
	session_audit(c, AUDIT_REVOKE, user, id, reason);
	log_info("%s ended session %s from the sessions page (%s), from %s",
	    user, ref, reason, c->addr);
	metrics_add(M_REVOCATION, 1);
}

/*
 * The entry of l whose reference is ref, exactly: every entry compared
 * in full (no early exit), and a reference two entries share names
 * neither. Its index, or -1.
 */
static long
ref_find(const struct listing *l, const char *ref)
{
	char   r[TOKEN_REFLEN + 1];
	long   found = -1;
	size_t i, hits = 0;

	if (strlen(ref) != TOKEN_REFLEN)
		return -1;
	for (i = 0; i < l->n; i++) {
		token_ref(l->v[i].id, r);
		if (sodium_memcmp(r, ref, TOKEN_REFLEN) == 0) {
			found = (long)i;
			hits++;
		}
	}
	return hits == 1 ? found : -1;
}

/*
 * A revocation that found nothing to end: the session ended meanwhile
 * (or its user was deleted), which is what was asked.
 */
static int
gone(enum sg_result rv)
{
	return rv == SG_DENY || rv == SG_NO_USER;
}

/*
 * 404: to a browser posting the page's form (the session may have ended
 * since the page was shown), a page with the way back; else JSON.
 */
static void
not_found(const struct handler_ctx *h, const struct request *req,
    struct response *resp)
{
	char  *page;
	size_t len = 0;

	if (!endpoint_wants_html(req)) {
		response_error(resp, 404, "no such session");
		return;
	}
	page = html_message_page(&h->cfg->page_frame, "No such session",
	    "That session has ended already, or it is not one of yours.",
	    h->cfg->sessions_path, "Back to your sessions", &len);
	response_reset(resp, 404);
	response_header(resp, "Cache-Control", "no-store");
	response_body_owned(resp, "text/html; charset=utf-8", page, len);
}

/* End the one session of the user that ref names. */
static void
end_one(const struct handler_ctx *h, const struct request *req,
    struct response *resp, const struct session_ctx *c,
    const struct session_found *f, const char *ref)
{
	struct listing l;
	enum sg_result rv;
	char	       id[TOKEN_IDLEN + 1];
	long	       i;

	if (listing_read(h, f->seen.user, SESSIONS_PAGE_MAX, &l) != SG_OK) {
		endpoint_unavailable(h, req, resp, "sessions");
		return;
	}
	i = ref_find(&l, ref);
	if (i >= 0)
		memcpy(id, l.v[i].id, sizeof(id));
	listing_free(&l);
	if (i < 0) {
		log_warnx("%s %s: %s has no session by that reference",
		    req->remote_addr, req->uri, f->seen.user);
		not_found(h, req, resp);
		return;
	}
	rv = store_session_revoke(h->store, f->seen.user, id);
	if (rv == SG_OK)
		ended(c, f->seen.user, id, "sessions_page");
	else if (!gone(rv)) {
		endpoint_unavailable(h, req, resp, "sessions");
		return;
	}
	if (strcmp(id, f->id) == 0) { /* this one: signed out here */
		endpoint_see_other(resp, h->cfg->login_path);
		endpoint_clear_cookie(h, resp);
	} else
		endpoint_see_other(resp, h->cfg->sessions_path);
}

/*
 * End every session of the user listed now but this one; a login that
 * comes after the listing stays (it is newer than the click).
 */
static void
end_others(const struct handler_ctx *h, const struct request *req,
    struct response *resp, const struct session_ctx *c,
    const struct session_found *f)
{
	struct listing l;
	enum sg_result rv = SG_OK;
	size_t	       i;

	if (listing_read(h, f->seen.user, 0, &l) != SG_OK) {
		endpoint_unavailable(h, req, resp, "sessions");
		return;
	}
	for (i = 0; i < l.n && (rv == SG_OK || gone(rv)); i++) {
		if (strcmp(l.v[i].id, f->id) == 0)
			continue;
		if ((rv = store_session_revoke(h->store, f->seen.user,
			 l.v[i].id)) == SG_OK)
			ended(c, f->seen.user, l.v[i].id,
			    "sessions_page_others");
	}
	listing_free(&l);
	if (rv != SG_OK && !gone(rv)) {
		endpoint_unavailable(h, req, resp, "sessions");
		return;
	}
	endpoint_see_other(resp, h->cfg->sessions_path);
}

void
endpoint_sessions_end(const struct handler_ctx *h, struct request *req,
    struct response *resp)
{
	struct session_ctx   c = endpoint_session(h, req);
	struct session_found f;
	char		     ref[64], others[8];
	int		     has_id, has_others;

	if (presented(h, req, resp, &c, &f) != SG_OK)
		return;
	has_id = form_get(req->body, req->body_len, "id", ref, sizeof(ref));
	has_others = form_get(req->body, req->body_len, "others", others,
	    sizeof(others));
	if (has_id == -1 || has_others == -1 || has_id + has_others != 1 ||
	    form_count(req->body, req->body_len, "id") > 1 ||
	    form_count(req->body, req->body_len, "others") > 1 ||
	    (has_others && strcmp(others, "1") != 0)) {
		log_warnx("%s %s: needs one field id, or others=1",
		    req->remote_addr, req->uri);
		response_error(resp, 400, "missing or bad form field");
		return;
	}
	if (has_id)
		end_one(h, req, resp, &c, &f, ref);
	else
		end_others(h, req, resp, &c, &f);
}
