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
