#include "stagehand/auth.h"

int auth_identify(struct sh_identity *out, struct http_req *req, struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);
	const char **refs = sh_arena_alloc(a, sizeof(*refs));

	(void)err;
	/* Sign-in providers will resolve tokens and cookies here; no handler
	 * ever reads identity headers itself. */
	refs[0] = AUTH_GUEST_REF;
	out->user_ref = AUTH_GUEST_REF;
	out->ownership_refs = refs;
	out->n_ownership_refs = 1;
	return 0;
}

int auth_userinfo(struct http_req *req, struct sh_err *err)
{
	const struct sh_identity *id = http_identity(req);
	json_t *ent = json_array();

	(void)err;
	for (size_t i = 0; i < id->n_ownership_refs; i++)
		json_array_append_new(ent, json_string(id->ownership_refs[i]));
	http_respond_json(req, 200, json_pack("{s:{s:s,s:o}}", "claims", "sub", id->user_ref,
		"ent", ent));
	return 0;
}
