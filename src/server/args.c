/* Query arguments of the API's routes, parsed and checked (declared in server/server.h). */
#include "server/server.h"

#include <pthread.h>
#include <string.h>

#include <concord/model.h>
#include <concord/text.h>

#include "core/banned.h"

static pthread_mutex_t writes = PTHREAD_MUTEX_INITIALIZER;

int cc__writes_lock(struct cc__req *req, struct cc_err *err)
{
	pthread_mutex_lock(&writes);
	return cc_store_begin_request(req->st, err);
}

int cc__writes_unlock(struct cc__req *req, int ret, struct cc_err *err)
{
	/* a request that could not begin has nothing to end */
	if (cc_store_in_request(req->st)) {
		int end = cc_store_end_request(req->st, ret == 0, ret == 0 ? err : NULL);

		if (ret == 0)
			ret = end;
	}
	pthread_mutex_unlock(&writes);
	return ret;
}

int cc__caller_mission(const struct cc__req *req, struct cc_mission *m, struct cc_err *err)
{
	return cc_store_get_mission(req->st, req->who->mission_code, m, err);
}

int cc__arg_int(const struct cc__req *req, const char *name, int64_t min, int64_t max,
                int64_t *out, struct cc_err *err)
{
	const char *v = cc__req_query(req, name);

	if (v && cc_parse_i64(v, min, max, out, NULL) < 0)
		return cc__bad_arg(err, name, "%s: '%s' is not a whole number from %lld to %lld", name,
		               v, (long long)min, (long long)max);
	return 0;
}

int cc__arg_num(const struct cc__req *req, const char *name, double min, double max, double *out,
                struct cc_err *err)
{
	const char *v = cc__req_query(req, name);
	double d;

	if (!v)
		return 0;
	if (cc_parse_double(v, &d, NULL) < 0 || !(d >= min && d <= max))
		return cc__bad_arg(err, name, "%s: '%s' is not a number from %g to %g", name, v, min,
		               max);
	*out = d;
	return 0;
}

int cc__arg_date(const struct cc__req *req, const char *name, int32_t *out, struct cc_err *err)
{
	const char *v = cc__req_query(req, name);

	if (v && cc_date_parse(v, out, NULL) < 0)
		return cc__bad_arg(err, name, "%s: '%s' is not a date (YYYY-MM-DD)", name, v);
	return 0;
}

int cc__arg_choice(const struct cc__req *req, const char *name, const char *choices, int *out,
                   struct cc_err *err)
{
	const char *v = cc__req_query(req, name), *p = choices;
	size_t len;

	if (!v)
		return 0;
	len = strlen(v);
	for (int i = 0; *p; i++) {
		size_t n = strcspn(p, "|");

		if (n == len && memcmp(p, v, n) == 0) {
			*out = i;
			return 0;
		}
		p += n + (p[n] == '|');
	}
	return cc__bad_arg(err, name, "%s: '%s': choose one of %s", name, v, choices);
}
