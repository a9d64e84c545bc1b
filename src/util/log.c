/*
 * Logging to stderr, one line per call. Levels are fixed at start-up, so
 * reading them needs no lock; each line is written with one fwrite call
 * under the stdio lock, so lines from different threads never interleave.
 */
#include "stagehand/util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static enum sh_log_level log_level = SH_LOG_INFO;
static bool log_json;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void sh_log_init(enum sh_log_level level, bool json)
{
	log_level = level;
	log_json = json;
}

int sh_log_level_parse(const char *s, enum sh_log_level *out)
{
	size_t i;

	for (i = 0; i < SH_ARRAY_LEN(level_names); i++) {
		if (strcasecmp(s, level_names[i]) == 0) {
			*out = (enum sh_log_level)i;
			return 0;
		}
	}
	return -1;
}

bool sh_log_enabled(enum sh_log_level level)
{
	return level <= log_level;
}

static void json_escape(struct sh_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			sh_buf_printf(b, "\\%c", c);
		else if (c < 0x20)
			sh_buf_printf(b, "\\u%04x", c);
		else
			sh_buf_putc(b, (char)c);
	}
}

void sh_log_write(enum sh_log_level level, const char *fmt, ...)
{
	struct sh_buf line = SH_BUF_INIT;
	struct sh_buf msg = SH_BUF_INIT;
	char stamp[32];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	va_start(ap, fmt);
	sh_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (log_json) {
		sh_buf_printf(&line, "{\"time\":\"%s.%03ldZ\",\"level\":\"%s\",\"message\":\"",
			stamp, ts.tv_nsec / 1000000, level_names[level]);
		json_escape(&line, msg.ptr ? msg.ptr : "");
		sh_buf_puts(&line, "\"}\n");
	} else {
		sh_buf_printf(&line, "%s.%03ldZ %-5s %s\n", stamp,
			ts.tv_nsec / 1000000, level_names[level], msg.ptr ? msg.ptr : "");
	}
	fwrite(line.ptr, 1, line.len, stderr);
	sh_buf_dispose(&line);
	sh_buf_dispose(&msg);
}
