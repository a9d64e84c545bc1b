#include "stagehand/util.h"

#include <stdio.h>
#include <string.h>

int sh_err_set(struct sh_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void sh_err_prefix(struct sh_err *err, const char *fmt, ...)
{
	char prefix[SH_ERR_MSG_MAX];
	char old[SH_ERR_MSG_MAX];
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* Truncation is fine: messages are for people and stay bounded. */
	struct sh_buf b = SH_BUF_INIT;
	sh_buf_printf(&b, "%s: %s", prefix, old);
	snprintf(err->msg, sizeof(err->msg), "%.*s", (int)sizeof(err->msg) - 1, b.ptr);
	sh_buf_dispose(&b);
}

const char *sh_status_name(int code)
{
	switch (code) {
	case SH_EINPUT: return "InputError";
	case SH_EAUTH: return "AuthenticationError";
	case SH_ENOTALLOWED: return "NotAllowedError";
	case SH_ENOTFOUND: return "NotFoundError";
	case SH_ECONFLICT: return "ConflictError";
	case SH_EUPSTREAM: return "UpstreamError";
	case SH_ETOOLARGE: return "PayloadTooLargeError";
	case SH_EMETHOD: return "MethodNotAllowedError";
	case SH_EUNAVAILABLE: return "ServiceUnavailableError";
	default: return "Error";
	}
}
