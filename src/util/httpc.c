/* Outbound HTTP with libcurl: bounded in time and size. */
#include "stagehand/httpc.h"

#include <curl/curl.h>
#include <string.h>

struct sink {
	struct sh_buf *buf;
	size_t max;
	bool too_large;
};

static size_t on_data(char *ptr, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n;

	if (s->buf->len + len > s->max) {
		s->too_large = true;
		return 0; /* aborts the transfer */
	}
	sh_buf_put(s->buf, ptr, len);
	return len;
}

/* "https://host:port" of url, for messages (no path, query or userinfo). */
static void origin_of(char *out, size_t cap, const char *url)
{
	const char *p = strstr(url, "://"), *end, *at;
	size_t n;

	p = p ? p + 3 : url;
	end = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(end - p));
	if (at != NULL)
		p = at + 1;
	n = (size_t)(end - p);
	if (n >= cap)
		n = cap - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

int httpc_do(const struct httpc_req *r, struct httpc_resp *out, struct sh_err *err)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hdrs = NULL;
	struct sink s = { &out->body, r->max_bytes ? r->max_bytes : (8u << 20), false };
	char host[256];
	CURLcode cc;
	int rc = 0;

	out->status = 0;
	out->body = SH_BUF_INIT;
	if (c == NULL)
		return sh_err_set(err, SH_EINTERNAL, "curl_easy_init failed");
	origin_of(host, sizeof(host), r->url);
	for (const char *const *h = r->headers; h != NULL && *h != NULL; h++)
		hdrs = curl_slist_append(hdrs, *h);
	curl_easy_setopt(c, CURLOPT_URL, r->url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, r->timeout_ms > 0 ? r->timeout_ms : 30000L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "stagehand/" SH_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	if (r->body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
	}
	cc = curl_easy_perform(c);
	if (s.too_large)
		rc = sh_err_set(err, SH_EUPSTREAM, "%s answered with more than %zu bytes", host, s.max);
	else if (cc != CURLE_OK)
		rc = sh_err_set(err, SH_EUPSTREAM, "%s: %s", host, curl_easy_strerror(cc));
	else
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	if (rc != 0)
		sh_buf_dispose(&out->body);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return rc;
}
