#include "report/svg.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

/*
 * The choropleth map: areas drawn from their stored boundaries (WKB polygons and multipolygons),
 * projected equirectangularly with longitudes scaled by the cosine of the extent's mean
 * latitude, so that shapes keep their proportions at the latitude of the mission. Needs no
 * allocation: one pass over the WKB finds the extent, a second one writes the paths.
 */

#define MAP_WIDTH   760.0
#define MAP_MARGIN  8.0
#define LEGEND_H    64.0
#define MAX_DEPTH   4

/* Fills of the classes: class 0 (no activity) grey, then a sequential blue, light to dark. */
static const char *const fills[CC__MAP_CLASSES] = { "#e6e6e6", "#c6dbef", "#9ecae1", "#4292c6",
	                                            "#08519c" };

struct wkb {
	const unsigned char *p;
	size_t n, off;
	bool bad;
};

struct proj {
	double minx, miny, maxx, maxy; /* extent in degrees */
	double kx, scale;               /* cos(mean latitude); pixels per degree */
	bool any;
};

static uint32_t rd_u32(struct wkb *w, bool le)
{
	const unsigned char *b;
	uint32_t v;

	if (w->bad || w->n - w->off < 4) {
		w->bad = true;
		return 0;
	}
	b = w->p + w->off;
	w->off += 4;
	if (le)
		v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	else
		v = (uint32_t)b[3] | (uint32_t)b[2] << 8 | (uint32_t)b[1] << 16 | (uint32_t)b[0] << 24;
	return v;
}

static double rd_f64(struct wkb *w, bool le)
{
	unsigned char b[8];
	double d;

	if (w->bad || w->n - w->off < 8) {
		w->bad = true;
		return 0;
	}
	for (size_t i = 0; i < 8; i++)
		b[i] = w->p[w->off + (le ? i : 7 - i)];
	w->off += 8;
	/* assumes a little-endian IEEE 754 host, as every supported platform is */
	memcpy(&d, b, sizeof(d));
	return d;
}

/* What a pass does with each vertex. */
struct pass {
	struct cc__out *o;        /* NULL: extent pass */
	struct proj *pr;
	double last_x, last_y;    /* last written pixel (rounded to 0.1) */
	size_t n_rings;
};

static void vertex(struct pass *ps, double lon, double lat, bool first)
{
	struct proj *pr = ps->pr;
	double x, y;

	if (!isfinite(lon) || !isfinite(lat))
		return;
	if (!ps->o) {
		if (!pr->any) {
			pr->minx = pr->maxx = lon;
			pr->miny = pr->maxy = lat;
			pr->any = true;
		}
		pr->minx = fmin(pr->minx, lon);
		pr->maxx = fmax(pr->maxx, lon);
		pr->miny = fmin(pr->miny, lat);
		pr->maxy = fmax(pr->maxy, lat);
		return;
	}
	x = round((MAP_MARGIN + (lon - pr->minx) * pr->kx * pr->scale) * 10) / 10;
	y = round((MAP_MARGIN + (pr->maxy - lat) * pr->scale) * 10) / 10;
	if (!first && x == ps->last_x && y == ps->last_y)
		return; /* same pixel as the previous vertex */
	cc__out_adds(ps->o, first ? "M" : " ");
	cc__out_coord(ps->o, x);
	cc__out_adds(ps->o, " ");
	cc__out_coord(ps->o, y);
	ps->last_x = x;
	ps->last_y = y;
}

/* One geometry at w->off: polygons and multipolygons drawn, other types skipped. */
static void geometry(struct wkb *w, struct pass *ps, int depth)
{
	bool le;
	uint32_t type, dims = 2, n;

	if (depth > MAX_DEPTH || w->off >= w->n) {
		w->bad = true;
		return;
	}
	le = w->p[w->off++] == 1;
	type = rd_u32(w, le);
	if (type & 0x80000000u) /* EWKB Z */
		dims++;
	if (type & 0x40000000u) /* EWKB M */
		dims++;
	if (type & 0x20000000u) /* EWKB SRID */
		(void)rd_u32(w, le);
	type &= 0x0fffffffu;
	dims += type / 1000 == 3 ? 2 : type / 1000 ? 1 : 0; /* ISO Z, M, ZM */
	type %= 1000;
	if (w->bad)
		return;
	if (type == 3) {
		uint32_t n_rings = rd_u32(w, le);

		for (uint32_t r = 0; r < n_rings && !w->bad; r++) {
			n = rd_u32(w, le);
			if (n > (w->n - w->off) / (8 * dims)) {
				w->bad = true;
				return;
			}
			for (uint32_t i = 0; i < n; i++) {
				double x = rd_f64(w, le), y = rd_f64(w, le);

				for (uint32_t d = 2; d < dims; d++)
					(void)rd_f64(w, le);
				vertex(ps, x, y, i == 0);
			}
			if (ps->o && n)
				cc__out_adds(ps->o, "Z");
			ps->n_rings++;
		}
		return;
	}
	if (type == 6 || type == 7) { /* multipolygon, collection */
		n = rd_u32(w, le);
		for (uint32_t i = 0; i < n && !w->bad; i++)
			geometry(w, ps, depth + 1);
		return;
	}
	w->bad = true; /* points and lines have no area to colour */
}

static bool walk(const struct cc__map_area *a, struct pass *ps)
{
	struct wkb w = { .p = a->wkb, .n = a->wkb_len };

	ps->n_rings = 0;
	if (!a->wkb || a->wkb_len == 0)
		return false;
	geometry(&w, ps, 0);
	return !w.bad && ps->n_rings > 0;
}

bool cc__map_drawable(const struct cc__map_area *a)
{
	struct proj pr = { 0 };
	struct pass ps = { .pr = &pr };

	return walk(a, &ps) && pr.any;
}

int cc__map_class(double v, const struct cc__scale *s)
{
	size_t k;

	if (!(v > 0))
		return 0;
	k = (size_t)ceil(v / (s->max / (CC__MAP_CLASSES - 1)));
	if (k < 1)
		k = 1;
	return k > CC__MAP_CLASSES - 1 ? CC__MAP_CLASSES - 1 : (int)k;
}

static void legend(struct cc__out *o, const struct cc__map *m, const struct cc__scale *s,
                   double y0)
{
	double step = s->max / (CC__MAP_CLASSES - 1);
	bool any_nan = false;

	for (size_t i = 0; i < m->n_areas; i++)
		any_nan |= isnan(m->areas[i].value);

	cc__out_adds(o, "<g class=\"legend\" font-size=\"12\">");
	cc__out_adds(o, "<text x=\"8\"");
	cc__out_adds(o, " y=\"");
	cc__out_coord(o, y0 + 14);
	cc__out_adds(o, "\">");
	cc__out_html(o, m->legend_title);
	cc__out_adds(o, "</text>");
	for (int k = 0; k < CC__MAP_CLASSES; k++) {
		char lo[32], hi[32], label[80];
		double x = 8 + k * 140.0;

		if (k == 0) {
			snprintf(label, sizeof(label), "%s", any_nan ? "0 or no figure" : "0");
		} else {
			cc__fmt_num((k - 1) * step + 1, lo, sizeof(lo));
			cc__fmt_num(k * step, hi, sizeof(hi));
			if (!strcmp(lo, hi))
				snprintf(label, sizeof(label), "%s", lo);
			else
				snprintf(label, sizeof(label), "%s\xe2\x80\x93%s", lo, hi);
		}
		cc__out_adds(o, "<rect x=\"");
		cc__out_coord(o, x);
		cc__out_adds(o, "\" y=\"");
		cc__out_coord(o, y0 + 24);
		cc__out_addf(o, "\" width=\"22\" height=\"14\" fill=\"%s\" stroke=\"#6e6e6e\"/>",
		             fills[k]);
		cc__out_adds(o, "<text x=\"");
		cc__out_coord(o, x + 28);
		cc__out_adds(o, "\" y=\"");
		cc__out_coord(o, y0 + 36);
		cc__out_adds(o, "\">");
		cc__out_html(o, label);
		cc__out_adds(o, "</text>");
	}
	cc__out_adds(o, "</g>");
}

size_t cc__svg_choropleth(struct cc__out *o, const struct cc__map *m)
{
	struct proj pr = { 0 };
	struct pass ps = { .pr = &pr };
	struct cc__scale s;
	double vmax = 0, w_deg, h_deg, height, mean_lat;
	size_t n_drawn = 0;

	for (size_t i = 0; i < m->n_areas; i++) {
		if (walk(&m->areas[i], &ps) && m->areas[i].value > vmax)
			vmax = m->areas[i].value;
	}
	if (!pr.any)
		return 0;
	/* equal classes of a round whole step: 1–100, 101–200, … */
	s.step = vmax > 0 ? cc__nice_step(vmax / (CC__MAP_CLASSES - 1)) : 1;
	if (s.step < 1)
		s.step = 1;
	s.n_steps = CC__MAP_CLASSES - 1;
	s.max = s.step * (double)s.n_steps;
	mean_lat = (pr.miny + pr.maxy) / 2;
	pr.kx = cos(mean_lat * 3.14159265358979323846 / 180);
	w_deg = (pr.maxx - pr.minx) * pr.kx;
	h_deg = pr.maxy - pr.miny;
	pr.scale = w_deg > 0 ? (MAP_WIDTH - 2 * MAP_MARGIN) / w_deg : 1;
	if (h_deg * pr.scale > 2 * MAP_WIDTH) /* a tall sliver: keep the map on a page */
		pr.scale = 2 * MAP_WIDTH / h_deg;
	height = h_deg * pr.scale + 2 * MAP_MARGIN;

	cc__out_addf(o, "<svg id=\"%s\" role=\"img\" aria-labelledby=\"%s-t %s-d\" viewBox=\"0 0 ",
	             m->id, m->id, m->id);
	cc__out_coord(o, MAP_WIDTH);
	cc__out_adds(o, " ");
	cc__out_coord(o, height + LEGEND_H);
	cc__out_adds(o, "\" width=\"");
	cc__out_coord(o, MAP_WIDTH);
	cc__out_adds(o, "\" height=\"");
	cc__out_coord(o, height + LEGEND_H);
	cc__out_addf(o, "\"><title id=\"%s-t\">", m->id);
	cc__out_html(o, m->title);
	cc__out_addf(o, "</title><desc id=\"%s-d\">", m->id);
	cc__out_html(o, m->desc);
	cc__out_adds(o, "</desc>\n<g class=\"areas\" stroke=\"#ffffff\" stroke-width=\"0.8\" "
	                "stroke-linejoin=\"round\" fill-rule=\"evenodd\">\n");
	ps.o = o;
	for (size_t i = 0; i < m->n_areas; i++) {
		const struct cc__map_area *a = &m->areas[i];
		char num[32];

		if (!cc__map_drawable(a))
			continue;
		cc__out_addf(o, "<path fill=\"%s\" d=\"", fills[cc__map_class(a->value, &s)]);
		walk(a, &ps);
		cc__out_adds(o, "\"><title>");
		cc__out_html(o, a->name);
		cc__out_adds(o, " (");
		cc__out_html(o, a->pcode);
		if (isnan(a->value)) {
			cc__out_adds(o, "): no figure");
		} else {
			cc__out_addf(o, "): %s ", cc__fmt_num(a->value, num, sizeof(num)));
			cc__out_html(o, a->value == 1 && m->unit_one ? m->unit_one : m->unit);
		}
		cc__out_adds(o, "</title></path>\n");
		n_drawn++;
	}
	cc__out_adds(o, "</g>\n");
	legend(o, m, &s, height);
	cc__out_adds(o, "</svg>\n");
	return n_drawn;
}
