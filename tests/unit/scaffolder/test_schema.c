/*
 * The template-form validator: each keyword passing and failing, with the
 * error objects the npm jsonschema package (1.4) would give Backstage
 * clients (property, message, name, argument, path, stack, order).
 * Single quotes in the JSON below stand for double quotes.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../harness.h"
#include "stagehand/util.h"
#include "../../../src/scaffolder/schema.h"

/* Parse text with ' for ". The caller decrefs. */
static json_t *J(const char *text)
{
	char *copy = strdup(text);
	json_t *v;

	for (char *p = copy; *p; p++)
		if (*p == '\'')
			*p = '"';
	v = json_loads(copy, JSON_DECODE_ANY, NULL);
	free(copy);
	assert_non_null(v);
	return v;
}

/* Errors for inst (NULL text: undefined) against schema, as root. */
static json_t *check(const char *schema_text, const char *inst_text, const char *prefix)
{
	json_t *schema = J(schema_text), *inst = inst_text ? J(inst_text) : NULL;
	json_t *errors = json_array();
	size_t n = schema_validate(errors, schema, schema, inst, prefix);

	assert_int_equal(n, json_array_size(errors));
	json_decref(schema);
	json_decref(inst);
	return errors;
}

static void assert_json(const json_t *got, const char *want_text)
{
	json_t *want = J(want_text);
	char *g = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);

	if (!json_equal((json_t *)got, want))
		fail_msg("got %s, want %s", g, want_text);
	free(g);
	json_decref(want);
}

/* Error i has these fields (argument NULL: no argument key). */
static void expect(const json_t *errors, size_t i, const char *property, const char *message,
	const char *name, const char *argument, const char *path)
{
	const json_t *e = json_array_get(errors, i);
	char stack[1024];

	assert_non_null(e);
	assert_string_equal(json_string_value(json_object_get(e, "property")), property);
	assert_string_equal(json_string_value(json_object_get(e, "message")), message);
	assert_string_equal(json_string_value(json_object_get(e, "name")), name);
	if (argument == NULL)
		assert_null(json_object_get(e, "argument"));
	else
		assert_json(json_object_get(e, "argument"), argument);
	assert_json(json_object_get(e, "path"), path);
	snprintf(stack, sizeof(stack), "%s %s", property, message);
	assert_string_equal(json_string_value(json_object_get(e, "stack")), stack);
	assert_non_null(json_object_get(e, "schema"));
}

/* Whether inst passes schema. */
static void expect_ok(const char *schema, const char *inst)
{
	json_t *errors = check(schema, inst, "instance");
	char *text = json_dumps(errors, JSON_COMPACT);

	if (json_array_size(errors) != 0)
		fail_msg("%s against %s: %s", inst, schema, text);
	free(text);
	json_decref(errors);
}

/* inst fails schema with exactly one error like this, at the root. */
static void expect_one(const char *schema, const char *inst, const char *message,
	const char *name, const char *argument)
{
	json_t *errors = check(schema, inst, "instance");
	char *text = json_dumps(errors, JSON_COMPACT);

	if (json_array_size(errors) != 1)
		fail_msg("%.300s; %s against %.200s", text, inst, schema);
	expect(errors, 0, "instance", message, name, argument, "[]");
	free(text);
	json_decref(errors);
}

static void test_schema__type(void **state)
{
	(void)state;
	expect_ok("{'type':'string'}", "'x'");
	expect_ok("{'type':'integer'}", "3");
	expect_ok("{'type':'integer'}", "3.0");
	expect_ok("{'type':'number'}", "3");
	expect_ok("{'type':['string','null']}", "null");
	expect_ok("{'type':'object'}", "{}");
	expect_ok("{'type':'string'}", NULL); /* undefined is skipped */
	expect_one("{'type':'string'}", "1", "is not of a type(s) string", "type", "['string']");
	expect_one("{'type':'integer'}", "3.5", "is not of a type(s) integer", "type", "['integer']");
	expect_one("{'type':['string','null']}", "[]", "is not of a type(s) string,null", "type",
		"['string','null']");
	expect_one("{'type':'object'}", "[]", "is not of a type(s) object", "type", "['object']");
	expect_one("{'type':'array'}", "{}", "is not of a type(s) array", "type", "['array']");
}

static void test_schema__enum_and_const(void **state)
{
	(void)state;
	expect_ok("{'enum':['a','b']}", "'b'");
	expect_ok("{'enum':[1,{'x':[1]}]}", "{'x':[1.0]}");
	expect_one("{'enum':['a','b']}", "'c'", "is not one of enum values: a,b", "enum", "['a','b']");
	expect_one("{'enum':[1,null,true,[1,2],{}]}", "2",
		"is not one of enum values: 1,null,true,1,2,[object Object]", "enum",
		"[1,null,true,[1,2],{}]");
	expect_ok("{'const':'x'}", "'x'");
	expect_one("{'const':'x'}", "'y'", "does not exactly match expected constant: x", "const",
		"'x'");
	expect_one("{'const':0.5}", "1", "does not exactly match expected constant: 0.5", "const",
		"0.5");
}

static void test_schema__required_reports_the_parent(void **state)
{
	json_t *errors;

	(void)state;
	expect_ok("{'required':['name']}", "{'name':null}");
	expect_ok("{'required':['name']}", "'not an object'");
	errors = check("{'properties':{'a':{'required':['name','owner']}}}", "{'a':{'owner':'x'}}",
		"instance");
	assert_int_equal(json_array_size(errors), 1);
	expect(errors, 0, "instance.a", "requires property \"name\"", "required", "'name'", "['a']");
	assert_json(json_object_get(json_array_get(errors, 0), "instance"), "{'owner':'x'}");
	json_decref(errors);
	/* draft-03 boolean form on a property */
	errors = check("{'properties':{'a':{'required':true}}}", "{}", "instance");
	expect(errors, 0, "instance.a", "is required", "required", NULL, "['a']");
	assert_null(json_object_get(json_array_get(errors, 0), "instance"));
	json_decref(errors);
}

static void test_schema__strings(void **state)
{
	(void)state;
	expect_ok("{'minLength':3,'maxLength':4}", "'abc'");
	expect_ok("{'maxLength':3}", "'\\u00e9\\u00e9\\u00e9'"); /* code points, not bytes */
	expect_ok("{'maxLength':1}", "'\\ud83d\\ude00'");        /* one astral code point */
	expect_one("{'minLength':3}", "'ab'", "does not meet minimum length of 3", "minLength", "3");
	expect_one("{'maxLength':10}", "'abcdefghijk'", "does not meet maximum length of 10",
		"maxLength", "10");
	expect_ok("{'minLength':3}", "12"); /* not a string */
}

static void test_schema__pattern(void **state)
{
	(void)state;
	expect_ok("{'pattern':'^[a-z]+$'}", "'abc'");
	expect_ok("{'pattern':'b'}", "'abc'"); /* unanchored search */
	expect_one("{'pattern':'^[a-z]+$'}", "'Bad Name'", "does not match pattern \"^[a-z]+$\"",
		"pattern", "'^[a-z]+$'");
	expect_ok("{'pattern':'^\\\\d{3}-\\\\w+\\\\s?\\\\.$'}", "'123-ab_c .'");
	expect_one("{'pattern':'^\\\\d+$'}", "'12a'", "does not match pattern \"^\\\\d+$\"", "pattern",
		"'^\\\\d+$'");
	expect_ok("{'pattern':'^(?:ab)+[\\\\w.-]*$'}", "'ababx.y-z'");
	expect_ok("{'pattern':'^[^\\\\s/]+$'}", "'caf\\u00e9'");
	expect_one("{'pattern':'^[^\\\\s/]+$'}", "'a b'", "does not match pattern \"^[^\\\\s/]+$\"",
		"pattern", "'^[^\\\\s/]+$'");
	expect_ok("{'pattern':'^.$'}", "'\\u00e9'"); /* a dot is a character */
	expect_one("{'pattern':'^a.b$'}", "'a\\nb'", "does not match pattern \"^a.b$\"", "pattern",
		"'^a.b$'");
	expect_ok("{'pattern':'^[\\\\]\\\\-^a]+$'}", "']-^a'");
	expect_ok("{'pattern':'^a{2,3}?b\\\\{$'}", "'aab{'");
	expect_ok("{'pattern':'^\\\\u0041\\\\x42[\\\\s\\\\S]$'}", "'AB\\n'");
	expect_ok("{'pattern':'\\\\bword\\\\b'}", "'a word here'");
}

static void test_schema__an_invalid_pattern_is_one_error(void **state)
{
	json_t *errors;

	(void)state;
	expect_one("{'pattern':'^(a'}", "'a'", "cannot be checked: invalid pattern \"^(a\"", "pattern",
		"'^(a'");
	expect_one("{'pattern':'*a'}", "'a'", "cannot be checked: invalid pattern \"*a\"", "pattern",
		"'*a'");
	expect_one("{'pattern':'^(?=a)'}", "'a'", "cannot be checked: unsupported pattern \"^(?=a)\"",
		"pattern", "'^(?=a)'");
	expect_one("{'pattern':'(a)\\\\1'}", "'aa'",
		"cannot be checked: unsupported pattern \"(a)\\\\1\"", "pattern", "'(a)\\\\1'");
	expect_one("{'pattern':'(a{1000}){1000}'}", "'a'",
		"cannot be checked: unsupported pattern \"(a{1000}){1000}\"", "pattern",
		"'(a{1000}){1000}'");
	expect_ok("{'pattern':'^(a'}", "5"); /* not a string: not checked */
	errors = check("{'patternProperties':{'(':{}}}", "{'a':1,'b':2}", "instance");
	assert_int_equal(json_array_size(errors), 1);
	expect(errors, 0, "instance", "cannot be checked: invalid pattern \"(\"", "patternProperties",
		"'('", "[]");
	json_decref(errors);
}

static void test_schema__numbers(void **state)
{
	(void)state;
	expect_ok("{'minimum':1,'maximum':3}", "1");
	expect_ok("{'minimum':1,'maximum':3}", "3.0");
	expect_one("{'minimum':1}", "0", "must be greater than or equal to 1", "minimum", "1");
	expect_one("{'maximum':1.5}", "2", "must be less than or equal to 1.5", "maximum", "1.5");
	expect_one("{'minimum':1,'exclusiveMinimum':true}", "1", "must be greater than 1", "minimum",
		"1");
	expect_one("{'maximum':1,'exclusiveMaximum':true}", "1", "must be less than 1", "maximum", "1");
	expect_one("{'exclusiveMinimum':1}", "1", "must be strictly greater than 1",
		"exclusiveMinimum", "1");
	expect_one("{'exclusiveMaximum':0.1}", "0.1", "must be strictly less than 0.1",
		"exclusiveMaximum", "0.1");
	expect_ok("{'multipleOf':0.1}", "0.3");
	expect_ok("{'multipleOf':2}", "4.0");
	expect_one("{'multipleOf':2}", "3", "is not a multiple of (divisible by) 2", "multipleOf",
		"2");
	expect_one("{'minimum':1e21}", "1", "must be greater than or equal to 1e+21", "minimum",
		"1e21");
	expect_one("{'minimum':0.0000001}", "0", "must be greater than or equal to 1e-7", "minimum",
		"1e-7");
	expect_ok("{'minimum':1}", "'0'");
}

static void test_schema__objects(void **state)
{
	json_t *errors;

	(void)state;
	expect_ok("{'minProperties':1,'maxProperties':1}", "{'a':1}");
	expect_one("{'minProperties':2}", "{'a':1}", "does not meet minimum property length of 2",
		"minProperties", "2");
	expect_one("{'maxProperties':0}", "{'a':1}", "does not meet maximum property length of 0",
		"maxProperties", "0");
	expect_ok("{'properties':{'a':{}},'additionalProperties':false}", "{'a':1}");
	errors = check("{'properties':{'a':{}},'additionalProperties':false}", "{'a':1,'b c':2}",
		"instance");
	assert_int_equal(json_array_size(errors), 1);
	expect(errors, 0, "instance", "is not allowed to have the additional property \"b c\"",
		"additionalProperties", "'b c'", "[]");
	json_decref(errors);
	errors = check("{'additionalProperties':{'type':'number'}}", "{'x':'s'}", "instance");
	expect(errors, 0, "instance.x", "is not of a type(s) number", "type", "['number']", "['x']");
	json_decref(errors);
	errors = check("{'patternProperties':{'^n_':{'type':'number'}},'additionalProperties':false}",
		"{'n_a':1,'n_b':'x','c':1}", "instance");
	assert_int_equal(json_array_size(errors), 2);
	expect(errors, 0, "instance.n_b", "is not of a type(s) number", "type", "['number']",
		"['n_b']");
	expect(errors, 1, "instance", "is not allowed to have the additional property \"c\"",
		"additionalProperties", "'c'", "[]");
	json_decref(errors);
}

static void test_schema__property_paths(void **state)
{
	json_t *errors;

	(void)state;
	errors = check("{'properties':{'a':{'properties':{'b':{'items':{'type':'string'}}}},"
		"'x.y':{'type':'string'},'1st':{'type':'string'},'7':{'type':'string'}}}",
		"{'a':{'b':['ok',2]},'x.y':1,'1st':1,'7':1}", "instance");
	assert_int_equal(json_array_size(errors), 4);
	/* for-in order: the array-index key '7' first */
	expect(errors, 0, "instance[7]", "is not of a type(s) string", "type", "['string']", "['7']");
	expect(errors, 1, "instance.a.b[1]", "is not of a type(s) string", "type", "['string']",
		"['a','b',1]");
	expect(errors, 2, "instance[\"x.y\"]", "is not of a type(s) string", "type", "['string']",
		"['x.y']");
	expect(errors, 3, "instance[\"1st\"]", "is not of a type(s) string", "type", "['string']",
		"['1st']");
	json_decref(errors);
}

static void test_schema__arrays(void **state)
{
	json_t *errors;

	(void)state;
	expect_ok("{'minItems':1,'maxItems':2,'uniqueItems':true}", "[1,'1']");
	expect_one("{'minItems':2}", "[1]", "does not meet minimum length of 2", "minItems", "2");
	expect_one("{'maxItems':1}", "[1,2]", "does not meet maximum length of 1", "maxItems", "1");
	expect_one("{'uniqueItems':true}", "[{'a':1},{'a':1.0}]", "contains duplicate item",
		"uniqueItems", NULL);
	expect_ok("{'minItems':1000000000}", "'not an array'");
	expect_one("{'minItems':1000000000}", "[]", "does not meet minimum length of 1000000000",
		"minItems", "1000000000");
	expect_ok("{'contains':{'const':2}}", "[1,2]");
	expect_one("{'contains':{'const':2}}", "[1]", "must contain an item matching given schema",
		"contains", "{'const':2}");
	expect_ok("{'items':[{'type':'string'}],'additionalItems':false}", "['a']");
	expect_one("{'items':[{'type':'string'}],'additionalItems':false}", "['a',1,2]",
		"additionalItems not permitted", "items", NULL);
	errors = check("{'items':[{'type':'string'},{'type':'number'}],"
		"'additionalItems':{'type':'boolean'}}", "[1,'x',3]", "instance");
	assert_int_equal(json_array_size(errors), 3);
	expect(errors, 0, "instance[0]", "is not of a type(s) string", "type", "['string']", "[0]");
	expect(errors, 1, "instance[1]", "is not of a type(s) number", "type", "['number']", "[1]");
	expect(errors, 2, "instance[2]", "is not of a type(s) boolean", "type", "['boolean']", "[2]");
	json_decref(errors);
}

static void test_schema__combinators(void **state)
{
	json_t *errors;

	(void)state;
	expect_ok("{'anyOf':[{'type':'string'},{'type':'number'}]}", "1");
	expect_one("{'anyOf':[{'type':'string'},{'title':'Num','type':'number'}]}", "null",
		"is not any of [subschema 0],\"Num\"", "anyOf", "['[subschema 0]','\\'Num\\'']");
	expect_ok("{'oneOf':[{'type':'string'},{'type':'number'}]}", "1");
	expect_one("{'oneOf':[{'type':'number'},{'type':'integer'}]}", "1",
		"is not exactly one from [subschema 0],[subschema 1]", "oneOf",
		"['[subschema 0]','[subschema 1]']");
	expect_one("{'oneOf':[{'$ref':'#/definitions/a'},{'$id':'b','type':'null'}],"
		"'definitions':{'a':{'type':'string'}}}", "1",
		"is not exactly one from <#/definitions/a>,b", "oneOf", "['<#/definitions/a>','b']");
	expect_ok("{'not':{'type':'string'}}", "1");
	expect_one("{'not':{'type':'string'}}", "'x'", "is of prohibited type [object Object]", "not",
		"{'type':'string'}");
	errors = check("{'allOf':[{'type':'string'},{'minimum':2}]}", "1", "instance");
	assert_int_equal(json_array_size(errors), 4);
	expect(errors, 0, "instance", "does not match allOf schema [subschema 0] with 1 error[s]:",
		"allOf", "{'id':'[subschema 0]','length':1}", "[]");
	expect(errors, 1, "instance", "is not of a type(s) string", "type", "['string']", "[]");
	expect(errors, 2, "instance", "does not match allOf schema [subschema 1] with 1 error[s]:",
		"allOf", "{'id':'[subschema 1]','length':1}", "[]");
	expect(errors, 3, "instance", "must be greater than or equal to 2", "minimum", "2", "[]");
	json_decref(errors);
	expect_ok("{'if':{'const':1},'then':{'type':'integer'},'else':{'type':'string'}}", "'x'");
	expect_one("{'if':{'const':1},'then':{'maximum':0},'else':{'type':'string'}}", "1",
		"must be less than or equal to 0", "maximum", "0");
	expect_one("{'if':{'const':1},'then':{'maximum':0},'else':{'type':'string'}}", "2",
		"is not of a type(s) string", "type", "['string']");
	expect_one("false", "1", "is not of a type(s) ", "type", "[]");
	expect_ok("true", "1");
}

static void test_schema__dependencies(void **state)
{
	json_t *errors;

	(void)state;
	expect_ok("{'dependencies':{'a':['b']}}", "{'a':1,'b':2}");
	expect_ok("{'dependencies':{'a':['b']}}", "{'b':2}");
	expect_one("{'dependencies':{'a':['b']}}", "{'a':1}",
		"property b not found, required by instance.a", "dependencies", "'instance.a'");
	errors = check("{'dependencies':{'a':{'required':['c']}}}", "{'a':1}", "instance");
	assert_int_equal(json_array_size(errors), 2);
	expect(errors, 0, "instance", "does not meet dependency required by instance.a",
		"dependencies", "'instance.a'", "[]");
	/* jsonschema validates the dependency in the child's context */
	expect(errors, 1, "instance.a", "requires property \"c\"", "required", "'c'", "['a']");
	json_decref(errors);
}

/* Backstage's multi-page form: ui:* keys ignored, enum with enumNames, and
 * dependencies/oneOf revealing a field per kind. */
static const char backstage_page[] =
	"{'title':'Fill in some steps','required':['name','kind'],"
	"'properties':{"
	" 'name':{'title':'Name','type':'string','pattern':'^[a-z0-9-]+$','ui:autofocus':true,"
	"  'ui:field':'EntityNamePicker','maxLength':63},"
	" 'owner':{'type':'string','ui:field':'OwnerPicker','ui:options':{'allowedKinds':['Group']}},"
	" 'kind':{'type':'string','enum':['lib','service'],'enumNames':['Library','Service'],"
	"  'default':'lib'}},"
	"'dependencies':{'kind':{'oneOf':["
	" {'properties':{'kind':{'enum':['lib']},'libOption':{'type':'string'}},"
	"  'required':['libOption']},"
	" {'properties':{'kind':{'enum':['service']},'port':{'type':'number'}}}]}}}";

static void test_schema__backstage_form_page(void **state)
{
	json_t *errors;

	(void)state;
	expect_ok(backstage_page, "{'name':'demo','kind':'lib','libOption':'x'}");
	expect_ok(backstage_page, "{'name':'demo','kind':'service','port':80}");
	errors = check(backstage_page, "{'kind':'lib'}", "instance");
	assert_int_equal(json_array_size(errors), 3);
	expect(errors, 0, "instance", "requires property \"name\"", "required", "'name'", "[]");
	expect(errors, 1, "instance", "does not meet dependency required by instance.kind",
		"dependencies", "'instance.kind'", "[]");
	/* the revealed field is required by the matching branch only */
	expect(errors, 2, "instance.kind", "is not exactly one from [subschema 0],[subschema 1]",
		"oneOf", "['[subschema 0]','[subschema 1]']", "['kind']");
	json_decref(errors);
}

static void test_schema__backstage_form_errors_in_order(void **state)
{
	json_t *errors, *e;

	(void)state;
	errors = check(backstage_page, "{'name':'Demo App','owner':3,'kind':'app'}", "instance");
	/* required comes first in this page, then properties in schema order */
	assert_int_equal(json_array_size(errors), 5);
	expect(errors, 0, "instance.name", "does not match pattern \"^[a-z0-9-]+$\"", "pattern",
		"'^[a-z0-9-]+$'", "['name']");
	e = json_array_get(errors, 0);
	assert_string_equal(json_string_value(json_object_get(e, "instance")), "Demo App");
	assert_string_equal(json_string_value(json_object_get(json_object_get(e, "schema"),
		"ui:field")), "EntityNamePicker");
	expect(errors, 1, "instance.owner", "is not of a type(s) string", "type", "['string']",
		"['owner']");
	expect(errors, 2, "instance.kind", "is not one of enum values: lib,service", "enum",
		"['lib','service']", "['kind']");
	expect(errors, 3, "instance", "does not meet dependency required by instance.kind",
		"dependencies", "'instance.kind'", "[]");
	expect(errors, 4, "instance.kind", "is not exactly one from [subschema 0],[subschema 1]",
		"oneOf", "['[subschema 0]','[subschema 1]']", "['kind']");
	json_decref(errors);
}

static void test_schema__secrets_prefix(void **state)
{
	json_t *errors;

	(void)state;
	errors = check("{'type':'object','required':['token'],"
		"'properties':{'token':{'type':'string','minLength':8},'other':{'type':'string'}}}",
		"{'other':1}", "secrets");
	assert_int_equal(json_array_size(errors), 2);
	expect(errors, 0, "secrets", "requires property \"token\"", "required", "'token'", "[]");
	expect(errors, 1, "secrets.other", "is not of a type(s) string", "type", "['string']",
		"['other']");
	json_decref(errors);
	errors = check("{'properties':{'token':{'minLength':8}}}", "{'token':'short'}", "secrets");
	expect(errors, 0, "secrets.token", "does not meet minimum length of 8", "minLength", "8",
		"['token']");
	json_decref(errors);
}

static void test_schema__local_refs(void **state)
{
	json_t *errors;

	(void)state;
	expect_ok("{'definitions':{'n':{'type':'integer'}},'properties':{'a':{'$ref':'#/definitions/n'}}}",
		"{'a':1}");
	errors = check("{'$defs':{'a/b':{'type':'integer'},'t~':{'minimum':5}},"
		"'properties':{'a':{'$ref':'#/$defs/a~1b'},'b':{'$ref':'#/$defs/t~0'},"
		"'c':{'$ref':'#/properties/a'}}}", "{'a':'x','b':1,'c':'y'}", "instance");
	assert_int_equal(json_array_size(errors), 3);
	expect(errors, 0, "instance.a", "is not of a type(s) integer", "type", "['integer']", "['a']");
	expect(errors, 1, "instance.b", "must be greater than or equal to 5", "minimum", "5", "['b']");
	expect(errors, 2, "instance.c", "is not of a type(s) integer", "type", "['integer']", "['c']");
	json_decref(errors);
	/* a recursive schema for a finite tree is fine */
	expect_ok("{'properties':{'kids':{'items':{'$ref':'#'}}},'required':['n']}",
		"{'n':1,'kids':[{'n':2,'kids':[{'n':3}]}]}");
	errors = check("{'properties':{'kids':{'items':{'$ref':'#'}}},'required':['n']}",
		"{'n':1,'kids':[{'kids':[{}]}]}", "instance");
	assert_int_equal(json_array_size(errors), 2);
	/* properties come before required in this schema, at every level */
	expect(errors, 0, "instance.kids[0].kids[0]", "requires property \"n\"", "required", "'n'",
		"['kids',0,'kids',0]");
	expect(errors, 1, "instance.kids[0]", "requires property \"n\"", "required", "'n'",
		"['kids',0]");
	json_decref(errors);
	errors = check("{'properties':{'a':{'$ref':'#/definitions/nope'}}}", "{}", "instance");
	assert_int_equal(json_array_size(errors), 1);
	expect(errors, 0, "instance.a", "cannot be checked: no such schema <#/definitions/nope>", "$ref",
		"'#/definitions/nope'", "['a']");
	json_decref(errors);
}

static void test_schema__ref_cycles_are_an_error(void **state)
{
	(void)state;
	expect_one("{'$ref':'#'}", "1", "cannot be checked: $ref cycle through <#>", "$ref", "'#'");
	expect_one("{'definitions':{'a':{'$ref':'#/definitions/b'},'b':{'allOf':[{'$ref':'#/definitions/a'}]}},"
		"'$ref':'#/definitions/a'}", "{}",
		"cannot be checked: $ref cycle through <#/definitions/a>", "$ref", "'#/definitions/a'");
}

static void test_schema__work_and_depth_are_bounded(void **state)
{
	struct sh_buf schema = SH_BUF_INIT, deep = SH_BUF_INIT;
	json_t *errors;
	clock_t start = clock();

	(void)state;
	/* every level doubles the work: 2^40 validations without a bound */
	sh_buf_puts(&schema, "{'definitions':{");
	for (int i = 0; i < 40; i++)
		sh_buf_printf(&schema, "'d%d':{'allOf':[{'$ref':'#/definitions/d%d'},"
			"{'$ref':'#/definitions/d%d'}]},", i, i + 1, i + 1);
	sh_buf_puts(&schema, "'d40':{'type':'string'}},'$ref':'#/definitions/d0'}");
	expect_one(schema.ptr, "1", "cannot be checked: validation needs too much work", "schema", NULL);
	sh_buf_dispose(&schema);
	for (int i = 0; i < 300; i++)
		sh_buf_puts(&schema, "{'items':");
	sh_buf_puts(&schema, "{}");
	for (int i = 0; i < 300; i++)
		sh_buf_putc(&schema, '}');
	sh_buf_puts(&deep, "[");
	for (int i = 0; i < 299; i++)
		sh_buf_puts(&deep, "[");
	for (int i = 0; i < 300; i++)
		sh_buf_puts(&deep, "]");
	errors = check(schema.ptr, deep.ptr, "instance");
	assert_int_equal(json_array_size(errors), 1);
	expect(errors, 0, "instance", "cannot be checked: nested more than 128 levels deep", "schema",
		NULL, "[]");
	json_decref(errors);
	sh_buf_dispose(&schema);
	sh_buf_dispose(&deep);
	assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 10.0);
}

static void test_schema__formats(void **state)
{
	static const char *const good[][2] = {
		{ "email", "jane.doe+x@example.co.uk" }, { "email", "a@[10.0.0.1]" },
		{ "uri", "https://example.com/x?y" }, { "url", "git+ssh://h/x" },
		{ "date", "2026-01-05" }, { "date-time", "2026-01-05T10:00:00.000Z" },
		{ "date-time", "2026-01-05 10:00:00+01:00" }, { "time", "23:59:60" },
		{ "hostname", "a-b.example.com" }, { "ipv4", "192.168.0.1" }, { "ipv6", "::1" },
		{ "ipv6", "fe80::1%eth0" }, { "ipv6", "::ffff:10.0.0.1" }, { "ipv6", "1:2:3:4:5:6:7:8" },
		{ "uuid", "3F0C1E2A-1111-4222-8333-123456789abc" }, { "regex", "^(?=a)b$" },
		{ "unknown-format", "anything" },
	};
	static const char *const bad[][2] = {
		{ "email", "jane" }, { "email", "a@b-.com" }, { "email", "a@b" }, { "uri", "/relative" },
		{ "url", "no scheme" }, { "date", "2026-13-01" }, { "date-time", "2026-01-05" },
		{ "time", "25:00:00" }, { "hostname", "-a.com" }, { "ipv4", "256.0.0.1" },
		{ "ipv6", "1::2::3" }, { "ipv6", "1:2:3:4:5:6:7:8:9" }, { "uuid", "3f0c" },
		{ "regex", "(" },
	};
	char schema[128], inst[256], msg[128];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(schema, sizeof(schema), "{'format':'%s'}", good[i][0]);
		snprintf(inst, sizeof(inst), "'%s'", good[i][1]);
		expect_ok(schema, inst);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(schema, sizeof(schema), "{'format':'%s'}", bad[i][0]);
		snprintf(inst, sizeof(inst), "'%s'", bad[i][1]);
		snprintf(msg, sizeof(msg), "does not conform to the \"%s\" format", bad[i][0]);
		char arg[64];
		snprintf(arg, sizeof(arg), "'%s'", bad[i][0]);
		expect_one(schema, inst, msg, "format", arg);
	}
	expect_ok("{'format':'email'}", "5");
}

static void test_schema__error_object_shape(void **state)
{
	json_t *errors, *e;
	const char *key;
	json_t *v;
	static const char *const order[] = { "path", "property", "message", "schema", "instance",
		"name", "argument", "stack" };
	size_t i = 0;

	(void)state;
	errors = check("{'properties':{'name':{'$id':'#name','type':'string'}}}", "{'name':1}",
		"instance");
	e = json_array_get(errors, 0);
	json_object_foreach(e, key, v)
		assert_string_equal(key, order[i++]);
	assert_int_equal(i, 8);
	/* a subschema with an id is reported by its id, as ValidationError does */
	assert_string_equal(json_string_value(json_object_get(e, "schema")), "#name");
	json_decref(errors);
}

/* Patterns compile and run under a per-thread locale: threads validating
 * at once see only their own results. */
static void *hammer(void *arg)
{
	json_t *schema = J(backstage_page);
	json_t *good = J("{'name':'demo-\u00e9','kind':'service','port':1}");
	json_t *bad = J("{'name':'Demo','kind':'lib'}");

	(void)arg;
	for (int i = 0; i < 300; i++) {
		json_t *errors = json_array();
		size_t n = schema_validate(errors, schema, schema, i % 2 ? good : bad, "instance");
		json_decref(errors);
		/* '\u00e9' is not in [a-z0-9-]: one error for good, three for bad */
		if (n != (i % 2 ? 1u : 3u))
			return (void *)1;
	}
	json_decref(schema);
	json_decref(good);
	json_decref(bad);
	return NULL;
}

static void test_schema__threads_validate_alone(void **state)
{
	pthread_t t[4];
	void *bad;

	(void)state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer, NULL), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], &bad), 0);
		assert_null(bad);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema__type),
		cmocka_unit_test(test_schema__enum_and_const),
		cmocka_unit_test(test_schema__required_reports_the_parent),
		cmocka_unit_test(test_schema__strings),
		cmocka_unit_test(test_schema__pattern),
		cmocka_unit_test(test_schema__an_invalid_pattern_is_one_error),
		cmocka_unit_test(test_schema__numbers),
		cmocka_unit_test(test_schema__objects),
		cmocka_unit_test(test_schema__property_paths),
		cmocka_unit_test(test_schema__arrays),
		cmocka_unit_test(test_schema__combinators),
		cmocka_unit_test(test_schema__dependencies),
		cmocka_unit_test(test_schema__backstage_form_page),
		cmocka_unit_test(test_schema__backstage_form_errors_in_order),
		cmocka_unit_test(test_schema__secrets_prefix),
		cmocka_unit_test(test_schema__local_refs),
		cmocka_unit_test(test_schema__ref_cycles_are_an_error),
		cmocka_unit_test(test_schema__work_and_depth_are_bounded),
		cmocka_unit_test(test_schema__formats),
		cmocka_unit_test(test_schema__error_object_shape),
		cmocka_unit_test(test_schema__threads_validate_alone),
	};
	RUN_TESTS(tests, argc, argv);
}
