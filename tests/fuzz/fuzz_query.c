/* The query-string parser. */
#include <stdint.h>
#include <string.h>

#include "stagehand/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sh_arena *a = sh_arena_new();
	struct http_query q;
	struct sh_err err;

	if (http_query_parse(&q, a, (const char *)data, size, &err) == 0) {
		for (size_t i = 0; i < q.n; i++)
			if (strlen(q.pairs[i].name) > size || strlen(q.pairs[i].value) > size)
				__builtin_trap();
	}
	sh_arena_free(a);
	return 0;
}
