-- Version 11: webhooks (see include/concord/webhooks.h).
--
-- A webhook is a URL to which the server POSTs every entry of the change log that its
-- organisation (org_id, the subscriber) may see, signed with secret (32 random bytes as 64 hex
-- digits, shown once when it is registered; kept in clear because signing needs it). cursor is
-- the last change-log id delivered or skipped (not visible to the organisation): delivery goes
-- on after it, in order. A removed webhook keeps its row with active = 0, so that its delivery
-- log stays readable. user_id is who registered it (NULL: the operator, from the command line).
-- Every attempt to deliver an entry is a row of webhook_delivery: status is the HTTP status of
-- the answer, 0 when there was none (error says why). Times are Unix seconds (UTC).
CREATE TABLE webhook (
	id INTEGER PRIMARY KEY,
	mission_id INTEGER NOT NULL REFERENCES mission (id),
	org_id INTEGER NOT NULL REFERENCES organisation (id),
	user_id INTEGER REFERENCES user_account (id),
	url TEXT NOT NULL,
	secret TEXT NOT NULL,
	cursor INTEGER NOT NULL DEFAULT 0,
	active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	created INTEGER NOT NULL
);

CREATE INDEX webhook_org ON webhook (mission_id, org_id);

CREATE TABLE webhook_delivery (
	id INTEGER PRIMARY KEY,
	webhook_id INTEGER NOT NULL REFERENCES webhook (id),
	change_id INTEGER NOT NULL,
	attempt INTEGER NOT NULL CHECK (attempt >= 1),
	at INTEGER NOT NULL,
	status INTEGER NOT NULL,
	error TEXT,
	duration_ms INTEGER NOT NULL
);

CREATE INDEX webhook_delivery_hook ON webhook_delivery (webhook_id, change_id);
