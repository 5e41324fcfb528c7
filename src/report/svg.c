#include "report/svg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include <concord/alloc.h>

#include "core/limits.h"

#include "core/banned.h"

/* ---- the writer ---- */

void cc__out_init(struct cc__out *o, size_t max)
{
	cc_buf_init(&o->buf, max);
	o->ret = 0;
}

void cc__out_add(struct cc__out *o, const char *s, size_t len)
{
	if (o->ret == 0)
		o->ret = cc_buf_add(&o->buf, s, len);
}

void cc__out_adds(struct cc__out *o, const char *s)
{
	if (o->ret == 0)
		o->ret = cc_buf_adds(&o->buf, s);
}

void cc__out_addf(struct cc__out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->ret)
		return;
	va_start(ap, fmt);
	o->ret = cc_buf_vaddf(&o->buf, fmt, ap);
	va_end(ap);
}

/* Escapes s[0..len) for HTML and XML (see cc_buf_add_html_n). */
static void html_n(struct cc__out *o, const char *s, size_t len)
{
	if (o->ret == 0)
		o->ret = cc_buf_add_html_n(&o->buf, s, len);
}

void cc__out_html(struct cc__out *o, const char *s)
{
	html_n(o, s, strlen(s));
}

void cc__out_json(struct cc__out *o, const char *s)
{
	if (o->ret == 0)
		o->ret = cc_buf_add_json_str(&o->buf, s);
}

void cc__out_csv(struct cc__out *o, const char *s)
{
	if (o->ret == 0)
		o->ret = cc_buf_add_csv(&o->buf, s);
}

int cc__out_finish(struct cc__out *o, struct cc_buf *dst)
{
	size_t cap = dst->max ? dst->max : CC_LIMIT_BUF_DEFAULT;
	int ret = o->ret;

	if (ret == 0 && dst->len == 0 && o->buf.len <= cap) {
		size_t max = dst->max;

		cc_buf_release(dst); /* nothing in it: hand over the memory instead of copying */
		*dst = o->buf;
		dst->max = max;
		cc_buf_init(&o->buf, o->buf.max);
		return 0;
	}
	if (ret == 0)
		ret = cc_buf_add(dst, o->buf.buf, o->buf.len);
	cc_buf_release(&o->buf);
	return ret;
}

/* ---- numbers ---- */

const char *cc__fmt_num(double v, char *buf, size_t n)
{
	if (!isfinite(v)) {
		snprintf(buf, n, "null");
		return buf;
	}
	if (v == 0) {
		snprintf(buf, n, "0"); /* also -0 */
		return buf;
	}
	if (fabs(v) < 1e15 && v == trunc(v)) {
		snprintf(buf, n, "%.0f", v);
		return buf;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, n, "%.*g", prec, v);
		if (strtod(buf, NULL) == v) /* same locale as snprintf: reads back */
			break;
	}
	for (char *p = buf; *p; p++) /* a decimal comma from LC_NUMERIC becomes a point */
		if (*p == ',')
			*p = '.';
	return buf;
}

void cc__out_num(struct cc__out *o, double v)
{
	char buf[40];

	cc__out_adds(o, cc__fmt_num(v, buf, sizeof(buf)));
}

void cc__out_coord(struct cc__out *o, double v)
{
	double r = round(v * 10);
	long long t;

	if (!isfinite(r) || fabs(r) > 1e15)
		r = 0;
	t = (long long)r;
	if (t < 0) {
		cc__out_adds(o, "-");
		t = -t;
	}
	cc__out_addf(o, "%lld", t / 10);
	if (t % 10)
		cc__out_addf(o, ".%lld", t % 10);
}

void cc__out_grouped(struct cc__out *o, double v)
{
	char digits[32], out[48];
	double r = round(v);
	size_t n, j = 0;

	if (!isfinite(r) || fabs(r) >= 1e18) {
		cc__out_num(o, v);
		return;
	}
	snprintf(digits, sizeof(digits), "%lld", (long long)fabs(r));
	n = strlen(digits);
	if (r < 0)
		out[j++] = '-';
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[j++] = ',';
		out[j++] = digits[i];
	}
	out[j] = '\0';
	cc__out_adds(o, out);
}

/* ---- text ---- */

size_t cc__text_char(const char *s, size_t n, size_t *width_out, bool *bad_out)
{
	unsigned char c = (unsigned char)*s;
	utf8proc_int32_t cp;
	utf8proc_ssize_t k;
	int w;

	*bad_out = false;
	*width_out = 1;
	if (c < 0x80) {
		*bad_out = c < 0x20 || c == 0x7f;
		return 1;
	}
	k = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &cp);
	if (k <= 0) {
		*bad_out = true;
		return 1;
	}
	w = utf8proc_charwidth(cp);
	*bad_out = utf8proc_category(cp) == UTF8PROC_CATEGORY_CC;
	*width_out = *bad_out ? 1 : w > 0 ? (size_t)w : 0;
	return (size_t)k;
}

size_t cc__text_width(const char *s)
{
	size_t len = strlen(s), width = 0;

	for (size_t i = 0, w; i < len;) {
		bool bad;

		i += cc__text_char(s + i, len - i, &w, &bad);
		width += w;
	}
	return width;
}

void cc__out_html_fit(struct cc__out *o, const char *s, size_t max_cols)
{
	size_t len = strlen(s), i = 0, width = 0;

	if (cc__text_width(s) <= max_cols) {
		cc__out_html(o, s);
		return;
	}
	while (i < len) {
		bool bad;
		size_t w, k = cc__text_char(s + i, len - i, &w, &bad);

		if (width + w + 1 > max_cols) /* keep a column for the ellipsis */
			break;
		width += w;
		i += k;
	}
	html_n(o, s, i);
	cc__out_adds(o, "\xe2\x80\xa6");
}

/* ---- scales ---- */

double cc__nice_step(double raw)
{
	double mag, norm;

	if (!(raw > 0) || !isfinite(raw))
		return 1;
	mag = pow(10, floor(log10(raw)));
	norm = raw / mag;
	if (norm <= 1 + 1e-9)
		return mag;
	if (norm <= 2 + 1e-9)
		return 2 * mag;
	if (norm <= 5 + 1e-9)
		return 5 * mag;
	return 10 * mag;
}

void cc__nice_scale(double data_max, size_t max_ticks, bool integer, struct cc__scale *out)
{
	double step, n;

	if (max_ticks < 1)
		max_ticks = 1;
	if (!(data_max > 0) || !isfinite(data_max)) {
		*out = (struct cc__scale){ .max = 1, .step = 1, .n_steps = 1 };
		return;
	}
	step = cc__nice_step(data_max / (double)max_ticks);
	if (integer && step < 1)
		step = 1;
	n = ceil(data_max / step - 1e-9);
	if (n < 1)
		n = 1;
	*out = (struct cc__scale){ .max = n * step, .step = step, .n_steps = (size_t)n };
}

/* ---- charts ---- */

const char *const cc__svg_palette[] = {
	"#0072b2", /* blue            5.2:1 on white */
	"#d55e00", /* vermilion       3.9:1 */
	"#009e73", /* bluish green    3.4:1 */
	"#9a6a00", /* dark ochre      4.7:1 */
	"#cc79a7", /* reddish purple  3.1:1 */
	"#6e6e6e", /* grey            5.1:1 */
	"#5a4fcf", /* indigo          6.1:1 */
	"#882255", /* wine            8.7:1 */
};
const size_t cc__svg_n_palette = sizeof(cc__svg_palette) / sizeof(cc__svg_palette[0]);

#define CHART_PAD    10.0
#define CHART_CHAR_W 7.0 /* estimated px per display column at 12px */
#define CHART_BAR_H  18.0
#define CHART_BAND   26.0
#define CHART_LABELS 32 /* display columns of a bar label before it is cut */

static void attr_coord(struct cc__out *o, const char *name, double v)
{
	cc__out_addf(o, " %s=\"", name);
	cc__out_coord(o, v);
	cc__out_adds(o, "\"");
}

static void text_el(struct cc__out *o, double x, double y, const char *anchor, const char *extra,
                    const char *text, size_t max_cols)
{
	cc__out_adds(o, "<text");
	attr_coord(o, "x", x);
	attr_coord(o, "y", y);
	if (anchor)
		cc__out_addf(o, " text-anchor=\"%s\"", anchor);
	if (extra)
		cc__out_addf(o, " %s", extra);
	cc__out_adds(o, ">");
	if (max_cols)
		cc__out_html_fit(o, text, max_cols);
	else
		cc__out_html(o, text);
	cc__out_adds(o, "</text>\n");
}

static void line_el(struct cc__out *o, double x1, double y1, double x2, double y2,
                    const char *stroke)
{
	cc__out_adds(o, "<line");
	attr_coord(o, "x1", x1);
	attr_coord(o, "y1", y1);
	attr_coord(o, "x2", x2);
	attr_coord(o, "y2", y2);
	cc__out_addf(o, " stroke=\"%s\" stroke-width=\"1\"/>\n", stroke);
}

static void rect_open(struct cc__out *o, double x, double y, double w, double h, const char *fill)
{
	cc__out_adds(o, "<rect");
	attr_coord(o, "x", x);
	attr_coord(o, "y", y);
	attr_coord(o, "width", w);
	attr_coord(o, "height", h);
	cc__out_adds(o, " fill=\"");
	cc__out_html(o, fill);
	cc__out_adds(o, "\"");
}

static void svg_open(struct cc__out *o, const struct cc__svg_hbar *c, double width, double height)
{
	cc__out_adds(o, "<svg id=\"");
	cc__out_html(o, c->id);
	cc__out_adds(o, "\" role=\"img\" aria-labelledby=\"");
	cc__out_html(o, c->id);
	cc__out_adds(o, "-title ");
	cc__out_html(o, c->id);
	cc__out_adds(o, "-desc\"");
	attr_coord(o, "width", width);
	attr_coord(o, "height", height);
	cc__out_adds(o, " viewBox=\"0 0 ");
	cc__out_coord(o, width);
	cc__out_adds(o, " ");
	cc__out_coord(o, height);
	cc__out_adds(
	        o, "\" font-family=\"system-ui, sans-serif\" font-size=\"12\" fill=\"#1a1a1a\">\n");
	cc__out_adds(o, "<title id=\"");
	cc__out_html(o, c->id);
	cc__out_adds(o, "-title\">");
	cc__out_html(o, c->title ? c->title : "");
	cc__out_adds(o, "</title>\n<desc id=\"");
	cc__out_html(o, c->id);
	cc__out_adds(o, "-desc\">");
	cc__out_html(o, c->desc ? c->desc : "");
	cc__out_adds(o, "</desc>\n");
	text_el(o, CHART_PAD, 20, NULL, "font-size=\"15\" font-weight=\"bold\"",
	        c->title ? c->title : "", 0);
}

/* Legend item width in px. */
static double legend_w(const char *name)
{
	return 12 + 6 + (double)cc__text_width(name) * CHART_CHAR_W + 18;
}

/* Lays the legend out from y; writes it when draw is set; returns the y below it. */
static double legend(struct cc__out *o, const struct cc__svg_hbar *c, double width, double y,
                     bool draw)
{
	double x = CHART_PAD;

	if (c->n_series < 2)
		return y;
	for (size_t s = 0; s < c->n_series; s++) {
		double w = legend_w(c->series[s].name);

		if (x > CHART_PAD && x + w > width - CHART_PAD) {
			x = CHART_PAD;
			y += 20;
		}
		if (draw) {
			rect_open(o, x, y, 12, 12, c->series[s].color);
			cc__out_adds(o, "/>\n");
			text_el(o, x + 18, y + 10.5, NULL, NULL, c->series[s].name, 0);
		}
		x += w;
	}
	return y + 24;
}

static double bar_total(const struct cc__svg_hbar *c, size_t i)
{
	double t = 0;

	for (size_t s = 0; s < c->n_series; s++) {
		double v = c->values[i * c->n_series + s];

		if (v > 0 && isfinite(v))
			t += v;
	}
	return t;
}

static void bar(struct cc__out *o, const struct cc__svg_hbar *c, size_t i, double left, double top,
                double plot_w, double axis_max)
{
	const char *tip = c->tips && c->tips[i] ? c->tips[i] : c->labels[i];
	double y = top + (double)i * CHART_BAND + (CHART_BAND - CHART_BAR_H) / 2, x = left;

	cc__out_adds(o, "<g>\n");
	text_el(o, left - 8, y + CHART_BAR_H / 2 + 4, "end", NULL, c->labels[i], CHART_LABELS);
	for (size_t s = 0; s < c->n_series; s++) {
		double v = c->values[i * c->n_series + s], w;

		if (!(v > 0) || !isfinite(v))
			continue;
		w = v / axis_max * plot_w;
		rect_open(o, x, y, w, CHART_BAR_H, c->series[s].color);
		cc__out_adds(o, " stroke=\"#ffffff\" stroke-width=\"1\"><title>");
		cc__out_html(o, tip);
		if (c->n_series > 1) {
			cc__out_adds(o, " \xe2\x80\x94 ");
			cc__out_html(o, c->series[s].name);
		}
		cc__out_adds(o, ": ");
		cc__out_num(o, v);
		cc__out_adds(o, " ");
		cc__out_html(o, v == 1 && c->unit_one ? c->unit_one : c->unit ? c->unit : "");
		cc__out_adds(o, "</title></rect>\n");
		x += w;
	}
	cc__out_adds(o, "<text");
	attr_coord(o, "x", x + 6);
	attr_coord(o, "y", y + CHART_BAR_H / 2 + 4);
	cc__out_adds(o, ">");
	cc__out_num(o, bar_total(c, i));
	cc__out_adds(o, "</text>\n</g>\n");
}

void cc__svg_hbar_chart(struct cc__out *o, const struct cc__svg_hbar *c)
{
	double width = c->width > 0 ? c->width : 760, left, plot_w, top, axis_y, height,
	       data_max = 0;
	size_t label_cols = 4;
	struct cc__scale sc;

	for (size_t i = 0; i < c->n_bars; i++) {
		size_t w = cc__text_width(c->labels[i]);

		label_cols = w > label_cols ? w : label_cols;
		data_max = fmax(data_max, bar_total(c, i));
	}
	if (label_cols > CHART_LABELS)
		label_cols = CHART_LABELS;
	left = CHART_PAD + (double)label_cols * CHART_CHAR_W + 10;
	plot_w = width - left - 50; /* room on the right for a bar's total */
	if (plot_w < 100) {
		plot_w = 100;
		width = left + plot_w + 50;
	}
	top = legend(o, c, width, 34, false);
	axis_y = top + (double)(c->n_bars ? c->n_bars : 1) * CHART_BAND;
	height = axis_y + 48;
	cc__nice_scale(data_max, (size_t)(plot_w / 80), true, &sc);

	svg_open(o, c, width, height);
	legend(o, c, width, 34, true);
	if (c->n_bars == 0) {
		text_el(o, left, top + CHART_BAND / 2 + 4, NULL, NULL, "No data", 0);
		cc__out_adds(o, "</svg>\n");
		return;
	}
	/* grid, ticks and their labels */
	for (size_t k = 0; k <= sc.n_steps; k++) {
		double v = (double)k * sc.step, x = left + v / sc.max * plot_w;

		if (k > 0)
			line_el(o, x, top, x, axis_y, "#d9d9d9");
		line_el(o, x, axis_y, x, axis_y + 4, "#595959");
		cc__out_adds(o, "<text");
		attr_coord(o, "x", x);
		attr_coord(o, "y", axis_y + 17);
		cc__out_adds(o, " text-anchor=\"middle\">");
		cc__out_num(o, v);
		cc__out_adds(o, "</text>\n");
	}
	line_el(o, left, top, left, axis_y, "#595959");
	line_el(o, left, axis_y, left + plot_w, axis_y, "#595959");
	text_el(o, left + plot_w / 2, axis_y + 38, "middle", "font-weight=\"bold\"",
	        c->axis_label ? c->axis_label : "", 0);
	for (size_t i = 0; i < c->n_bars; i++)
		bar(o, c, i, left, top, plot_w, sc.max);
	cc__out_adds(o, "</svg>\n");
}

/* ---- line chart ---- */

#define LINE_PLOT_H 220.0

void cc__svg_line_chart(struct cc__out *o, const struct cc__svg_lines *c)
{
	double width = c->width > 0 ? c->width : 760, left = 60, right = 40, top, plot_h = LINE_PLOT_H,
	       axis_y, height, plot_w, data_max = 0, step_x;
	struct cc__svg_hbar frame = { .id = c->id, .title = c->title, .desc = c->desc,
		                      .series = c->series, .n_series = c->n_series };
	struct cc__scale sc;
	size_t label_every;

	for (size_t i = 0; i < c->n_points * c->n_series; i++)
		if (isfinite(c->values[i]))
			data_max = fmax(data_max, c->values[i]);
	for (size_t r = 0; r < c->n_refs; r++)
		if (isfinite(c->refs[r].value))
			data_max = fmax(data_max, c->refs[r].value);
	plot_w = width - left - right;
	top = legend(o, &frame, width, 34, false);
	if (c->n_refs)
		top += 4;
	axis_y = top + plot_h;
	height = axis_y + 52;
	cc__nice_scale(data_max, 5, c->integer, &sc);
	svg_open(o, &frame, width, height);
	legend(o, &frame, width, 34, true);
	if (c->n_points == 0) {
		text_el(o, left, top + 20, NULL, NULL, "No data", 0);
		cc__out_adds(o, "</svg>\n");
		return;
	}
	for (size_t k = 0; k <= sc.n_steps; k++) {
		double v = (double)k * sc.step, y = axis_y - v / sc.max * plot_h;

		if (k > 0)
			line_el(o, left, y, left + plot_w, y, "#d9d9d9");
		cc__out_adds(o, "<text");
		attr_coord(o, "x", left - 6);
		attr_coord(o, "y", y + 4);
		cc__out_adds(o, " text-anchor=\"end\">");
		cc__out_num(o, v);
		cc__out_adds(o, "</text>\n");
	}
	line_el(o, left, top, left, axis_y, "#595959");
	line_el(o, left, axis_y, left + plot_w, axis_y, "#595959");
	step_x = c->n_points > 1 ? plot_w / (double)(c->n_points - 1) : 0;
	label_every = (size_t)ceil((double)c->n_points * 60 / plot_w);
	if (label_every < 1)
		label_every = 1;
	for (size_t i = 0; i < c->n_points; i++) {
		double x = left + (c->n_points > 1 ? (double)i * step_x : plot_w / 2);

		if (i % label_every != 0 && i + 1 != c->n_points)
			continue;
		line_el(o, x, axis_y, x, axis_y + 4, "#595959");
		text_el(o, x, axis_y + 17, "middle", NULL, c->labels[i], 12);
	}
	text_el(o, left + plot_w / 2, axis_y + 40, "middle", "font-weight=\"bold\"",
	        c->axis_label ? c->axis_label : "", 0);
	/* reference (benchmark) lines: dashed, labelled at the right end */
	for (size_t r = 0; r < c->n_refs; r++) {
		double y;

		if (!isfinite(c->refs[r].value))
			continue;
		y = axis_y - c->refs[r].value / sc.max * plot_h;
		cc__out_adds(o, "<g>\n<line");
		attr_coord(o, "x1", left);
		attr_coord(o, "y1", y);
		attr_coord(o, "x2", left + plot_w);
		attr_coord(o, "y2", y);
		cc__out_adds(o, " stroke=\"#595959\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\">"
		                "<title>");
		cc__out_html(o, c->refs[r].name);
		cc__out_adds(o, ": ");
		cc__out_num(o, c->refs[r].value);
		cc__out_adds(o, "</title></line>\n");
		text_el(o, left + plot_w - 4, y - 4, "end", "font-size=\"11\"", c->refs[r].name, 0);
		cc__out_adds(o, "</g>\n");
	}
	for (size_t s = 0; s < c->n_series; s++) {
		bool open = false;

		cc__out_adds(o, "<g>\n");
		for (size_t i = 0; i < c->n_points; i++) {
			double v = c->values[i * c->n_series + s];
			double x = left + (c->n_points > 1 ? (double)i * step_x : plot_w / 2);

			if (!isfinite(v)) {
				if (open)
					cc__out_adds(o, "\"/>\n");
				open = false;
				continue;
			}
			if (!open) {
				cc__out_adds(o, "<polyline fill=\"none\" stroke=\"");
				cc__out_html(o, c->series[s].color);
				cc__out_adds(o, "\" stroke-width=\"2\" points=\"");
				open = true;
			} else {
				cc__out_adds(o, " ");
			}
			cc__out_coord(o, x);
			cc__out_adds(o, ",");
			cc__out_coord(o, axis_y - v / sc.max * plot_h);
		}
		if (open)
			cc__out_adds(o, "\"/>\n");
		for (size_t i = 0; i < c->n_points; i++) {
			double v = c->values[i * c->n_series + s];
			double x = left + (c->n_points > 1 ? (double)i * step_x : plot_w / 2);

			if (!isfinite(v))
				continue;
			cc__out_adds(o, "<circle");
			attr_coord(o, "cx", x);
			attr_coord(o, "cy", axis_y - v / sc.max * plot_h);
			cc__out_adds(o, " r=\"3\" fill=\"");
			cc__out_html(o, c->series[s].color);
			cc__out_adds(o, "\"><title>");
			cc__out_html(o, c->labels[i]);
			cc__out_adds(o, " \xe2\x80\x94 ");
			cc__out_html(o, c->series[s].name);
			cc__out_adds(o, ": ");
			cc__out_num(o, v);
			cc__out_adds(o, "</title></circle>\n");
		}
		cc__out_adds(o, "</g>\n");
	}
	cc__out_adds(o, "</svg>\n");
}

/* ---- interval chart ---- */

void cc__svg_interval_chart(struct cc__out *o, const struct cc__svg_intervals *c)
{
	double width = c->width > 0 ? c->width : 760, left, plot_w, top = 34, axis_y, height;
	size_t label_cols = 4;
	struct cc__svg_hbar frame = { .id = c->id, .title = c->title, .desc = c->desc };

	for (size_t i = 0; i < c->n; i++) {
		size_t w = cc__text_width(c->labels[i]);

		label_cols = w > label_cols ? w : label_cols;
	}
	if (label_cols > CHART_LABELS)
		label_cols = CHART_LABELS;
	left = CHART_PAD + (double)label_cols * CHART_CHAR_W + 10;
	plot_w = width - left - 30;
	if (plot_w < 100) {
		plot_w = 100;
		width = left + plot_w + 30;
	}
	axis_y = top + (double)(c->n ? c->n : 1) * CHART_BAND;
	height = axis_y + 48;
	svg_open(o, &frame, width, height);
	for (int k = 0; k <= 10; k += 2) {
		double x = left + k / 10.0 * plot_w;
		char pct[8];

		if (k > 0)
			line_el(o, x, top, x, axis_y, "#d9d9d9");
		line_el(o, x, axis_y, x, axis_y + 4, "#595959");
		snprintf(pct, sizeof(pct), "%d%%", k * 10);
		text_el(o, x, axis_y + 17, "middle", NULL, pct, 0);
	}
	line_el(o, left, top, left, axis_y, "#595959");
	line_el(o, left, axis_y, left + plot_w, axis_y, "#595959");
	text_el(o, left + plot_w / 2, axis_y + 38, "middle", "font-weight=\"bold\"",
	        c->axis_label ? c->axis_label : "", 0);
	for (size_t i = 0; i < c->n; i++) {
		double y = top + (double)i * CHART_BAND + CHART_BAND / 2;
		char a[32], b[32], d[32];

		cc__out_adds(o, "<g>\n");
		text_el(o, left - 8, y + 4, "end", NULL, c->labels[i], CHART_LABELS);
		if (!isfinite(c->p[i])) {
			cc__out_adds(o, "</g>\n");
			continue;
		}
		cc__out_adds(o, "<title>");
		cc__out_html(o, c->labels[i]);
		snprintf(a, sizeof(a), "%.1f%%", c->p[i] * 100);
		snprintf(b, sizeof(b), "%.1f%%", c->lo[i] * 100);
		snprintf(d, sizeof(d), "%.1f%%", c->hi[i] * 100);
		cc__out_addf(o, ": %s (%s\xe2\x80\x93%s)</title>\n", a, b, d);
		if (isfinite(c->lo[i]) && isfinite(c->hi[i])) {
			line_el(o, left + c->lo[i] * plot_w, y, left + c->hi[i] * plot_w, y, "#0072b2");
			line_el(o, left + c->lo[i] * plot_w, y - 5, left + c->lo[i] * plot_w, y + 5,
			        "#0072b2");
			line_el(o, left + c->hi[i] * plot_w, y - 5, left + c->hi[i] * plot_w, y + 5,
			        "#0072b2");
		}
		cc__out_adds(o, "<circle");
		attr_coord(o, "cx", left + c->p[i] * plot_w);
		attr_coord(o, "cy", y);
		cc__out_adds(o, " r=\"4\" fill=\"#0072b2\"/>\n</g>\n");
	}
	cc__out_adds(o, "</svg>\n");
}
