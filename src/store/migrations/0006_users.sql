-- Version 6: organisations' users, roles and API tokens.
--
-- A user belongs to one mission and acts for one organisation of it, with one role. The table
-- is user_account, not "user", which PostgreSQL reserves. A token is 32 random bytes shown
-- once as hex; only its BLAKE2b-256 hash (libsodium crypto_generichash) is stored, so a copy of
-- the store does not hand out working tokens. Times are Unix seconds (UTC).
CREATE TABLE user_account (
	id INTEGER PRIMARY KEY,
	mission_id INTEGER NOT NULL REFERENCES mission (id),
	org_id INTEGER NOT NULL REFERENCES organisation (id),
	name TEXT NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'coordinator', 'admin')),
	created INTEGER NOT NULL,
	UNIQUE (mission_id, name)
);

CREATE TABLE api_token (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES user_account (id),
	hash TEXT NOT NULL UNIQUE,
	created INTEGER NOT NULL,
	expires INTEGER,
	revoked INTEGER
);

CREATE INDEX api_token_user ON api_token (user_id);
