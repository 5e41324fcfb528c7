/*
 * Users, roles and API tokens: who may call the server, for which organisation, with what
 * rights.
 *
 * A user belongs to one mission and acts for one organisation of it with one role; roles are
 * ordered, each including the rights of those below it (viewer < editor < coordinator < admin).
 * A token is 32 random bytes (libsodium randombytes_buf) handed out once as 64 hex digits;
 * the store keeps only its BLAKE2b-256 hash (crypto_generichash), so it looks tokens up by
 * hash and can never show one again. A token may expire and may be revoked; both are final.
 *
 * Times are Unix seconds (UTC). Every function takes an open store (one thread at a time, as
 * <concord/store.h> says) and an err that may be NULL. Strings in arguments are borrowed for
 * the call; results are plain structs owned by the caller (no pointers inside). The writes
 * (add user, create and revoke token) each run in a transaction of their own, together with
 * their change-log entry: call them outside cc_store_begin() (else CC_EUSAGE).
 */
#ifndef CONCORD_AUTH_H
#define CONCORD_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>
#include <concord/store.h>

enum cc_role {
	CC_ROLE_NONE = 0, /* no token needed (a route's minimum role only) */
	CC_ROLE_VIEWER,
	CC_ROLE_EDITOR,
	CC_ROLE_COORDINATOR,
	CC_ROLE_ADMIN,
};

/* "viewer", "editor", "coordinator", "admin", "none"; "unknown" for other values. */
CC_API const char *cc_role_name(enum cc_role role);
/* The role named s (exactly, lowercase; "none" is not accepted); CC_EINVALID lists the names. */
CC_API int cc_role_parse(const char *s, enum cc_role *out, struct cc_err *err);

#define CC_TOKEN_BYTES 32
#define CC_TOKEN_HEX   (2 * CC_TOKEN_BYTES + 1) /* hex digits and a NUL */

struct cc_user {
	int64_t id;
	int64_t mission_id;
	int64_t org_id;
	char name[128];
	enum cc_role role;
	int64_t created; /* Unix seconds */
};

/* A caller as the server sees it once its token is checked: the user and its organisation. */
struct cc_principal {
	struct cc_user user;
	char org_key[128]; /* the organisation's key ("local:UNICEF", an IATI ref) */
	char org_name[256];
	char org_kind[16]; /* military, un, eu, government, ngo, …; "" unknown */
	char mission_code[32];
	int64_t token_id;
};

struct cc_token {
	int64_t id;
	int64_t user_id;
	int64_t mission_id; /* the user's mission */
	int64_t created;
	int64_t expires; /* 0: never */
	int64_t revoked; /* 0: not revoked, else when */
};

/* What `concord user add` asks for; strings borrowed. */
struct cc_user_spec {
	const char *mission; /* mission code; NULL or "": the store's only mission */
	const char *org;     /* organisation key, or an alias of it (compared normalised) */
	const char *name;    /* 1 to 127 bytes of UTF-8 without control characters */
	enum cc_role role;   /* viewer … admin */
};

/*
 * Adds a user (one transaction, logged in the change log). Returns 0 and fills *out,
 * CC_EUSAGE for an empty or overlong name or a role outside viewer…admin, CC_ENOTFOUND for an
 * unknown mission or organisation, CC_EEXIST when the mission already has a user of that name,
 * CC_ENOMEM, or a store error.
 */
CC_API int cc_auth_add_user(struct cc_store *st, const struct cc_user_spec *spec,
                            struct cc_user *out, struct cc_err *err);
/* The user of the mission (code; NULL: the only mission) with that name; CC_ENOTFOUND. */
CC_API int cc_auth_find_user(struct cc_store *st, const char *mission, const char *name,
                             struct cc_user *out, struct cc_err *err);

/*
 * Creates a token for the user, valid until now + expires_days days (0: never expires; now is
 * the current time when 0). Writes the token as 64 hex digits into hex_out — the only time it
 * is ever seen — and its id into *id_out. Returns 0, CC_ENOTFOUND for an unknown user,
 * CC_EUSAGE for negative days, CC_ENOMEM or a store error; on error hex_out is "".
 */
CC_API int cc_auth_create_token(struct cc_store *st, int64_t user_id, int64_t expires_days,
                                int64_t now, char hex_out[static CC_TOKEN_HEX], int64_t *id_out,
                                struct cc_err *err);
/* Revokes the token (at now; 0: the current time). CC_ENOTFOUND; revoking twice is harmless. */
CC_API int cc_auth_revoke_token(struct cc_store *st, int64_t token_id, int64_t now,
                                struct cc_err *err);
/* The stored record of a token (never the token itself); CC_ENOTFOUND. */
CC_API int cc_auth_get_token(struct cc_store *st, int64_t token_id, struct cc_token *out,
                             struct cc_err *err);

/*
 * Checks a presented token (hex, as given; length checked) at time now (0: the current time)
 * and fills *out with its user. Unknown, malformed, revoked and expired tokens all return
 * CC_EDENIED with the same message, so a caller learns nothing about which tokens exist.
 */
CC_API int cc_auth_check_token(struct cc_store *st, const char *token, int64_t now,
                               struct cc_principal *out, struct cc_err *err);

/* The hash stored for a token's bytes: BLAKE2b-256 as 64 hex digits (for tests and tools). */
CC_API void cc_auth_token_hash(const unsigned char token[static CC_TOKEN_BYTES],
                               char out[static 65]);

#endif
