/* The YAML-to-JSON mapper, as catalog files reach it. */
#include <stdint.h>
#include <stdlib.h>

#include "stagehand/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct yaml_limits lim = { 1 << 20, 64, 100000 };
	json_t *docs = NULL, *lines = NULL;
	struct sh_err err;

	if (yaml_parse(&docs, &lines, (const char *)data, size, "fuzz", &lim, &err) == 0) {
		char *text = json_dumps(docs, JSON_COMPACT);
		free(text);
		json_decref(docs);
		json_decref(lines);
	}
	return 0;
}
