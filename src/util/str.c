#include "stagehand/util.h"

#include <ctype.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long sh_url_decode(char *dst, const char *src, size_t len, bool plus_is_space)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		char c = src[i];
		if (c == '%') {
			int hi, lo;
			if (len - i < 3)
				return -1;
			hi = hexval(src[i + 1]);
			lo = hexval(src[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			c = ' ';
		}
		if (c == '\0')
			return -1;
		dst[o++] = c;
	}
	dst[o] = '\0';
	return (long)o;
}

uint64_t sh_str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

bool sh_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (len - i <= n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
			(n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += n + 1;
	}
	return true;
}

void sh_buf_put_urlencoded(struct sh_buf *b, const char *s)
{
	static const char digits[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
			sh_buf_putc(b, (char)c);
		} else {
			char esc[3] = { '%', digits[c >> 4], digits[c & 15] };
			sh_buf_put(b, esc, 3);
		}
	}
}

int sh_parse_size(const char *s, uint64_t *out)
{
	static const struct {
		const char *suffix;
		uint64_t mult;
	} units[] = {
		{ "", 1 }, { "b", 1 },
		{ "k", 1024 }, { "kb", 1024 }, { "kib", 1024 },
		{ "m", 1024 * 1024 }, { "mb", 1024 * 1024 }, { "mib", 1024 * 1024 },
		{ "g", 1024ull * 1024 * 1024 }, { "gb", 1024ull * 1024 * 1024 },
		{ "gib", 1024ull * 1024 * 1024 },
	};
	char *end;
	unsigned long long n;
	size_t i;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	n = strtoull(s, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	for (i = 0; i < SH_ARRAY_LEN(units); i++) {
		if (strcasecmp(end, units[i].suffix) == 0) {
			if (n > UINT64_MAX / units[i].mult)
				return -1;
			*out = n * units[i].mult;
			return 0;
		}
	}
	return -1;
}

void sh_random_hex(char *out, size_t nbytes)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char raw[64];
	size_t i;

	if (nbytes > sizeof(raw))
		nbytes = sizeof(raw);
	if (RAND_bytes(raw, (int)nbytes) != 1)
		abort(); /* no randomness means no safe ids or tokens at all */
	for (i = 0; i < nbytes; i++) {
		out[2 * i] = digits[raw[i] >> 4];
		out[2 * i + 1] = digits[raw[i] & 15];
	}
	out[2 * nbytes] = '\0';
}

void sh_uuid_v4(char out[37])
{
	unsigned char b[16];
	static const char digits[] = "0123456789abcdef";
	int o = 0;

	if (RAND_bytes(b, sizeof(b)) != 1)
		abort(); /* no randomness means no safe ids at all */
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = digits[b[i] >> 4];
		out[o++] = digits[b[i] & 15];
	}
	out[o] = '\0';
}

void sh_iso_time(char out[32], int64_t ms)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (tm.tm_year + 1900) % 10000,
		(tm.tm_mon + 1) % 100, tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100, tm.tm_sec % 100,
		(int)(ms % 1000));
}

uint64_t sh_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- base64 ------------------------------------------------------------------------------ */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *sh_base64_encode(struct sh_arena *a, const char *s, size_t n)
{
	char *out = sh_arena_alloc(a, (n + 2) / 3 * 4 + 1);
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)s[i] << 16;
		if (i + 1 < n) v |= (unsigned char)s[i + 1] << 8;
		if (i + 2 < n) v |= (unsigned char)s[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

/* Decode standard or URL-safe base64 (spaces read as '+'); NULL if bad. */
char *sh_base64_decode(struct sh_arena *a, const char *s, size_t *len)
{
	size_t n = strlen(s);
	char *out = sh_arena_alloc(a, n / 4 * 3 + 4);
	unsigned v = 0;
	int bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i] == ' ' ? '+' : s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
		const char *p;
		if (c == '=')
			break;
		if ((p = strchr(b64, c)) == NULL || c == '\0')
			return NULL;
		v = (v << 6) | (unsigned)(p - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((v >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	*len = o;
	return out;
}

char *sh_arena_lower(struct sh_arena *a, const char *s)
{
	char *out = sh_arena_strdup(a, s);

	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}
