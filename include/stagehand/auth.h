/*
 * auth: who is calling. Every request carries an identity (see http.h);
 * this module produces it. Until sign-in providers exist every caller is
 * the guest user, which owns only itself.
 */
#ifndef STAGEHAND_AUTH_H
#define STAGEHAND_AUTH_H

#include "stagehand/http.h"

#define AUTH_GUEST_REF "user:default/guest"

/* The http_identify_fn installed by main. Strings in out come from the
 * request's arena. */
int auth_identify(struct sh_identity *out, struct http_req *req, struct sh_err *err) SH_WUR;

/* GET /api/auth/v1/userinfo: the caller's claims, as Backstage answers
 * them: {"claims":{"sub": user ref, "ent": ownership refs}}. */
int auth_userinfo(struct http_req *req, struct sh_err *err) SH_WUR;

#endif
