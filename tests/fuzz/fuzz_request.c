/*
 * fuzz_request: the request view, from FastCGI params and a body
 * (fuzz_params.h): request_init(), request_read_body() and every question
 * a handler asks of it (path, query, error page, cross-site), and the form
 * in the body as the POST guards see it.
 */
#include "http/form.h"
#include "http/request.h"
#include "http/url.h"

#include "fuzz_params.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_params p;
	struct request	   r;
	char		   out[URL_MAX];

	fuzz_params_parse(&p, data, size);
	request_init(&r, fuzz_param, fuzz_read, &p);
	FUZZ_ASSERT(r.method != NULL && r.uri != NULL && r.scheme != NULL &&
	    r.remote_addr != NULL);
	FUZZ_ASSERT(r.content_length >= -1);
	FUZZ_ASSERT(request_path_len(r.uri) <= strlen(r.uri));
	(void)request_path_is(&r, "/login");
	(void)request_query(&r, "next", out, sizeof(out));
	(void)request_is_error_page(&r);
	if (request_cross_site(&r) == 0 && (r.origin || r.referer))
		FUZZ_ASSERT(r.host != NULL && r.scheme[0] != '\0');
	FUZZ_ASSERT(request_read_body(&r) == 0);
	if (!r.body_too_large) {
		FUZZ_ASSERT(r.body != NULL && r.body_len <= REQUEST_BODY_MAX &&
		    r.body_len <= p.blen && r.body[r.body_len] == '\0');
		if (form_valid(r.body, r.body_len))
			FUZZ_ASSERT(form_get(r.body, r.body_len, "username",
					out, sizeof(out)) != -1 ||
			    r.body_len >= sizeof(out));
	} else
		FUZZ_ASSERT(r.content_length > REQUEST_BODY_MAX ||
		    p.blen > REQUEST_BODY_MAX);
	FUZZ_ASSERT(request_read_body(&r) == 0); /* once */
	request_free(&r);
	FUZZ_ASSERT(r.body == NULL);
	fuzz_params_free(&p);
	return 0;
}
