#include <concord/error.h>

#include <stdio.h>
#include <string.h>

#include "banned.h"

const char *cc_code_name(int code)
{
	switch (code) {
#define CC_X(name, value, text) \
	case value:             \
		return #name;
		CC_ERRORS(CC_X)
#undef CC_X
	}
	return "unknown";
}

const char *cc_code_text(int code)
{
	switch (code) {
#define CC_X(name, value, text) \
	case value:             \
		return text;
		CC_ERRORS(CC_X)
#undef CC_X
	}
	return "unknown error";
}

int cc__err_set(struct cc_err *err, int code, const char *src, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	err->src = src;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

int cc__err_wrap(struct cc_err *err, const struct cc_err *cause, const char *src,
                 const char *fmt, ...)
{
	char context[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return cause->code;
	va_start(ap, fmt);
	vsnprintf(context, sizeof(context), fmt, ap);
	va_end(ap);
	err->code = cause->code;
	err->src = src;
	snprintf(err->msg, sizeof(err->msg), cause->msg[0] ? "%s: %s" : "%s%s", context,
	         cause->msg);
	return err->code;
}

static void copy_str(char *dst, size_t n, const char *s)
{
	size_t len = strlen(s);

	if (len >= n)
		len = n - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

void cc_err_at(struct cc_err *err, const char *file, long line, const char *field)
{
	if (!err)
		return;
	if (file)
		copy_str(err->file, sizeof(err->file), file);
	if (line > 0)
		err->line = line;
	if (field)
		copy_str(err->field, sizeof(err->field), field);
}

void cc_err_clear(struct cc_err *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

const char *cc_err_format(const struct cc_err *err, char *buf, size_t n)
{
	size_t off = 0;
	int k;

	if (n == 0)
		return buf;
	buf[0] = '\0';
	if (!err)
		return buf;
#define ADD(...)                                                     \
	do {                                                         \
		k = snprintf(buf + off, n - off, __VA_ARGS__);       \
		if (k < 0 || (size_t)k >= n - off)                   \
			return buf;                                  \
		off += (size_t)k;                                    \
	} while (0)
	if (err->file[0]) {
		ADD("%s:", err->file);
		if (err->line > 0)
			ADD("%ld:", err->line);
		ADD(" ");
	}
	if (err->field[0])
		ADD("%s: ", err->field);
	ADD("%s", err->msg[0] ? err->msg : cc_code_text(err->code));
#undef ADD
	return buf;
}
