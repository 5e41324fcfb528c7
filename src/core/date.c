#include <concord/model.h>

#include <stdio.h>
#include <string.h>

#include "banned.h"

/* Days from civil (proleptic Gregorian), after H. Hinnant's public-domain algorithm. */
int32_t cc_date_from_ymd(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

void cc_date_to_ymd(int32_t z, int *y, int *m, int *d)
{
	long zz = (long)z + 719468;
	long era = (zz >= 0 ? zz : zz - 146096) / 146097;
	long doe = zz - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int days_in_month(int y, int m)
{
	static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return n[m - 1];
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int cc_date_parse(const char *s, int32_t *out, struct cc_err *err)
{
	int y, m, d = 1;
	size_t len = strlen(s);

	if (len < 7 || digits(s, 4, &y) < 0 || s[4] != '-' || digits(s + 5, 2, &m) < 0)
		goto bad;
	if (len == 7)
		goto ok;
	if (len < 10 || s[7] != '-' || digits(s + 8, 2, &d) < 0)
		goto bad;
	if (len > 10 && s[10] != 'T' && s[10] != ' ')
		goto bad;
ok:
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return cc_err_set(err, CC_EINVALID, "'%s' is not a calendar date", s);
	*out = cc_date_from_ymd(y, m, d);
	return 0;
bad:
	return cc_err_set(err, CC_EPARSE, "'%s' is not a date (expected YYYY-MM-DD)", s);
}

const char *cc_date_format(int32_t day, char buf[static 11])
{
	int y, m, d;

	if (day == CC_DATE_NONE) {
		buf[0] = '\0';
		return buf;
	}
	cc_date_to_ymd(day, &y, &m, &d);
	if (y < 0 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31) {
		buf[0] = '\0';
		return buf;
	}
	snprintf(buf, 11, "%04d-%02d-%02d", y, m, d);
	return buf;
}

int cc_period_parse(const char *s, int32_t *from, int32_t *to, struct cc_err *err)
{
	const char *slash = strchr(s, '/');
	char a[32];
	size_t n;
	int ret;

	if (!slash || (n = (size_t)(slash - s)) >= sizeof(a))
		return cc_err_set(err, CC_EPARSE, "'%s' is not a period (expected FROM/TO)", s);
	memcpy(a, s, n);
	a[n] = '\0';
	if ((ret = cc_date_parse(a, from, err)) < 0 || (ret = cc_date_parse(slash + 1, to, err)) < 0)
		return ret;
	if (*to < *from)
		return cc_err_set(err, CC_EINVALID, "period '%s' ends before it starts", s);
	return 0;
}

static const char *const pillar_names[CC_N_PILLARS] = {
	[CC_PILLAR_SECURITY] = "security",
	[CC_PILLAR_GOVERNANCE] = "governance",
	[CC_PILLAR_INFRASTRUCTURE] = "infrastructure",
	[CC_PILLAR_ECONOMY] = "economy",
	[CC_PILLAR_HUMANITARIAN] = "humanitarian",
	[CC_PILLAR_OTHER] = "other",
};

const char *cc_pillar_name(int pillar)
{
	if (pillar < 0 || pillar >= CC_N_PILLARS)
		return NULL;
	return pillar_names[pillar];
}

int cc_pillar_parse(const char *s)
{
	for (int i = 0; i < CC_N_PILLARS; i++)
		if (strcmp(s, pillar_names[i]) == 0)
			return i;
	return -1;
}
