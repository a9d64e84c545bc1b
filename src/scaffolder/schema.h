/*
 * schema: the JSON Schema (draft-07) validator behind template forms.
 *
 * Backstage validates task values with the `jsonschema` npm package; the
 * errors here have that package's shape, so that clients which print them
 * keep working: each is an object
 *   {"path": ["name"], "property": "instance.name",
 *    "message": "does not match pattern \"^[a-z]+$\"",
 *    "schema": {…the failing subschema…}, "instance": "Bad Name",
 *    "name": "pattern", "argument": "^[a-z]+$",
 *    "stack": "instance.name does not match pattern \"^[a-z]+$\""}
 *
 * Keywords: type (and type arrays, "integer"), enum, const, required,
 * properties, additionalProperties (bool or schema), patternProperties,
 * minProperties, maxProperties, items (schema or tuple) with
 * additionalItems, minItems, maxItems, uniqueItems, contains, pattern
 * (ECMAScript-like syntax through POSIX ERE with the common escapes \d \w
 * \s translated; an uncompilable pattern is an error of its own),
 * minLength / maxLength (counted in code points), minimum, maximum,
 * exclusiveMinimum, exclusiveMaximum (draft-07 numbers, and draft-04
 * booleans), multipleOf, format (email, uri, url, date, date-time, time,
 * hostname, ipv4, ipv6, uuid, regex; unknown formats pass), allOf, anyOf,
 * oneOf, not, if / then / else, dependencies (schema or property list), and
 * local $ref ("#", "#/definitions/x", "#/$defs/x", JSON pointers with ~0
 * ~1 escapes) resolved against root. Every other keyword (ui:*, title,
 * description, default, examples, backstage:*) is ignored.
 *
 * Depth and work are bounded (a $ref cycle is an error, not a hang).
 * Thread-safe: no global state.
 *
 * Where jsonschema would throw instead, the error's message starts with
 * "cannot be checked:": name "$ref" for a missing local target (at the
 * property) or a cycle, "pattern" / "patternProperties" for a pattern that
 * is not a JavaScript regex or has no POSIX form (lookaround,
 * backreference, \p{..}, non-ASCII range, {n,m} past 1000), and "schema"
 * when depth or work run out. A cycle, depth or work limit replaces all
 * other errors of the call with that one error at the root. "url" is
 * checked like "uri" (jsonschema does not know it and passes it).
 * instance NULL is JavaScript's undefined.
 */
#ifndef STAGEHAND_SCAFFOLDER_SCHEMA_H
#define STAGEHAND_SCAFFOLDER_SCHEMA_H

#include <jansson.h>
#include <stddef.h>

/*
 * Validate instance (borrowed) against schema (borrowed), whose local $refs
 * resolve against root (borrowed; pass schema itself when it is the whole
 * document). Errors are appended to the JSON array errors (borrowed), each
 * shaped as above with property paths starting at prefix ("instance", or
 * "secrets" for a task's secrets). Returns the number of errors appended.
 */
size_t schema_validate(json_t *errors, const json_t *root, const json_t *schema,
	const json_t *instance, const char *prefix);

#endif
