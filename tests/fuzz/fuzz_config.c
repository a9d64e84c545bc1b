/* The configuration loader: YAML, key table, ${VAR} substitution. */
#include <stdint.h>
#include <stdlib.h>

#include "stagehand/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sh_config cfg;
	struct sh_err err;

	setenv("FUZZ_PORT", "8080", 0);
	if (config_load_text(&cfg, (const char *)data, size, "fuzz.yaml", &err) == 0)
		config_dispose(&cfg);
	return 0;
}
