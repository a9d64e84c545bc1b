/*
 * Template-form validation (src/scaffolder/schema.c). Input: a schema JSON
 * text and an instance JSON text, separated by the first NUL byte or, when
 * there is none, by the first newline. An empty or unparsable instance is
 * "undefined". Every result must be well-formed: as many errors as
 * reported, each with the jsonschema fields, a property under the prefix
 * and stack = property + " " + message. Bounds on depth, work and pattern
 * size keep each input fast whatever the schema.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/scaffolder/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(const json_t *e, const char *prefix)
{
	const char *prop = json_string_value(json_object_get(e, "property"));
	const char *msg = json_string_value(json_object_get(e, "message"));
	const char *stack = json_string_value(json_object_get(e, "stack"));
	size_t plen;

	if (prop == NULL || msg == NULL || stack == NULL || !json_is_string(json_object_get(e, "name")) ||
		!json_is_array(json_object_get(e, "path")) || json_object_get(e, "schema") == NULL)
		__builtin_trap();
	plen = strlen(prefix);
	if (strncmp(prop, prefix, plen) != 0 || strncmp(stack, prop, strlen(prop)) != 0 ||
		stack[strlen(prop)] != ' ' || strcmp(stack + strlen(prop) + 1, msg) != 0)
		__builtin_trap();
}

static void run(const json_t *root, const json_t *schema, const json_t *inst, const char *prefix)
{
	json_t *errors = json_array();
	size_t n, i;
	json_t *e;
	char *text;

	json_array_append_new(errors, json_string("already there"));
	n = schema_validate(errors, root, schema, inst, prefix);
	if (n != json_array_size(errors) - 1)
		__builtin_trap();
	json_array_foreach(errors, i, e)
		if (i > 0)
			check_error(e, prefix);
	text = json_dumps(errors, JSON_COMPACT); /* every value serialises */
	if (text == NULL)
		__builtin_trap();
	free(text);
	json_decref(errors);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *sep = memchr(text, '\0', size);
	size_t slen;
	json_t *schema, *inst = NULL;

	if (sep == NULL)
		sep = memchr(text, '\n', size);
	slen = sep ? (size_t)(sep - text) : size;
	schema = json_loadb(text, slen, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (schema == NULL)
		return 0;
	if (sep != NULL && slen + 1 < size)
		inst = json_loadb(sep + 1, size - slen - 1, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	run(schema, schema, inst, "instance");
	/* a page validated against a root that holds its definitions */
	if (json_is_object(schema) && json_is_object(json_object_get(schema, "properties")))
		run(schema, json_object_get(schema, "properties"), inst, "secrets");
	json_decref(inst);
	json_decref(schema);
	return 0;
}
