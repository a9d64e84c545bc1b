/* notification:send — notify users, groups or everyone from a template. */
#include <string.h>

#include "internal.h"
#include "stagehand/db.h"
#include "stagehand/notify.h"

static int notification_send(struct action_ctx *ac, const json_t *in, json_t *out,
	struct sh_err *err)
{
	const char *type = json_string_value(json_object_get(in, "recipients"));
	json_t *recipients, *payload = json_pack("{s:O}", "title", json_object_get(in, "title"));
	static const char *const copied[][2] = { { "info", "description" }, { "link", "link" },
		{ "severity", "severity" }, { "scope", "scope" } };
	sqlite3 *db;
	int rc;

	(void)out;
	for (size_t i = 0; i < SH_ARRAY_LEN(copied); i++)
		if (json_object_get(in, copied[i][0]) != NULL)
			json_object_set(payload, copied[i][1], json_object_get(in, copied[i][0]));
	json_object_set_new(payload, "topic", json_string("scaffolder"));
	recipients = strcmp(type, "broadcast") == 0 ? json_pack("{s:s}", "type", "broadcast")
		: json_pack("{s:s,s:o}", "type", "entity", "entityRef", json_object_get(in, "entityRefs")
			? json_incref(json_object_get(in, "entityRefs")) : json_array());
	if (strcmp(type, "entity") == 0 && json_array_size(json_object_get(in, "entityRefs")) == 0) {
		rc = sh_err_set(err, SH_EINPUT, "Entity references must be provided when sending "
			"notifications to entities");
	} else if (ac->dry_run) {
		action_log(ac, "info", "Would send the notification \"%s\" (dry run)",
			json_string_value(json_object_get(in, "title")));
		rc = 0;
	} else {
		db = db_acquire(ac->sc->pool);
		rc = notify_send(db, "plugin:scaffolder", recipients, payload, NULL, err);
		db_release(ac->sc->pool, db);
		if (rc == 0)
			action_log(ac, "info", "Sent the notification \"%s\"",
				json_string_value(json_object_get(in, "title")));
	}
	if (rc != 0 && json_is_true(json_object_get(in, "optional"))) {
		action_log(ac, "warn", "Failed to send notification (optional): %s", err->msg);
		rc = 0;
	}
	json_decref(recipients);
	json_decref(payload);
	return rc;
}

const struct action actions_notify[] = {
	{ "notification:send", "Sends a notification using the notification backend",
		"{\"type\":\"object\",\"required\":[\"recipients\",\"title\"],\"properties\":{"
		"\"recipients\":{\"title\":\"Recipient\",\"description\":\"The recipient of the notification, "
		"either broadcast or entity. If using entity, also entityRef must be provided\","
		"\"type\":\"string\",\"enum\":[\"broadcast\",\"entity\"]},"
		"\"entityRefs\":{\"title\":\"Entity references\",\"description\":\"The entity references to "
		"send the notification to, required if using recipient of entity\",\"type\":\"array\","
		"\"items\":{\"type\":\"string\"}},"
		"\"title\":{\"title\":\"Title\",\"description\":\"Notification title\",\"type\":\"string\"},"
		"\"info\":{\"title\":\"Description\",\"description\":\"Notification description\","
		"\"type\":\"string\"},"
		"\"link\":{\"title\":\"Link\",\"description\":\"Notification link\",\"type\":\"string\"},"
		"\"severity\":{\"title\":\"Severity\",\"description\":\"Notification severity\","
		"\"type\":\"string\",\"enum\":[\"low\",\"normal\",\"high\",\"critical\"]},"
		"\"scope\":{\"title\":\"Scope\",\"description\":\"Notification scope\",\"type\":\"string\"},"
		"\"optional\":{\"title\":\"Optional\",\"description\":\"Do not fail the action if the "
		"notification sending fails\",\"type\":\"boolean\"}}}", NULL, true, notification_send },
};
const size_t actions_notify_n = SH_ARRAY_LEN(actions_notify);
