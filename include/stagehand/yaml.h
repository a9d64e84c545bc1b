/*
 * yaml: YAML text to jansson values, as Backstage reads catalog files,
 * templates, mkdocs.yml and configuration.
 *
 * Plain scalars resolve by the YAML 1.2 core schema: null, true/false, ints
 * (decimal, 0o octal, 0x hex) and floats become JSON values; `yes`, `on`,
 * `no`, `off` stay strings; quoted scalars are always strings; `.inf` and
 * `.nan` stay strings because JSON cannot hold them. Anchors and aliases are
 * expanded; merge keys (`<<`) are plain keys, as in YAML 1.2. Duplicate keys
 * and non-scalar keys are errors.
 */
#ifndef STAGEHAND_YAML_H
#define STAGEHAND_YAML_H

#include <jansson.h>
#include <stddef.h>

#include "stagehand/util.h"

/* Limits that make hostile input an error instead of an outage. */
struct yaml_limits {
	size_t max_bytes;  /* input size */
	int max_depth;     /* nesting of mappings and sequences */
	size_t max_nodes;  /* values produced, counting alias expansion */
};

/* Defaults suited to catalog files: 4 MiB, depth 128, 1M nodes. */
extern const struct yaml_limits YAML_LIMITS_DEFAULT;

/*
 * Parse every document in data[0..len).
 *
 * *out receives a JSON array with one element per non-empty document; the
 * caller owns it (json_decref). When lines is not NULL, *lines receives a
 * parallel array: for each document an object mapping a JSON pointer
 * ("/spec/owner", "" for the root) to its 1-based line number; caller owns
 * it too. name labels error messages, which read "name:line: message".
 *
 * Returns 0, or SH_EINPUT (malformed YAML, a limit exceeded) with err set
 * and nothing in *out or *lines.
 */
int yaml_parse(json_t **out, json_t **lines, const char *data, size_t len,
	const char *name, const struct yaml_limits *limits,
	struct sh_err *err) SH_WUR;

/* The line of a pointer in a lines object from yaml_parse, or of its
 * nearest recorded ancestor; 0 when unknown. */
int yaml_line_of(const json_t *lines, const char *pointer);

/* Append v as a YAML document in block style (strings that would read as
 * something else are double-quoted), ending with a newline. */
void yaml_emit(struct sh_buf *out, const json_t *v);

#endif
