/*
 * Placing points in admin areas (internal), for the importers that read coordinates (events,
 * IATI locations): the deepest stored area whose boundary covers the point.
 *
 * The store's R*Tree gives the candidate areas of a CC__LOCATE_CELL_DEG grid cell once per
 * cell (a point's candidates are those whose box holds it, as a query with the point itself
 * would give); GEOS prepared geometries, read and prepared on first use, decide. The last point
 * is remembered, as files often repeat a place. Memory is bounded: the cell cache starts again
 * after CC__LOCATE_MAX_CELLS cells.
 */
#ifndef CC_IO_LOCATE_H
#define CC_IO_LOCATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include <concord/store.h>
#include <concord/text.h>

#define CC__LOCATE_CELL_DEG  0.25
#define CC__LOCATE_MAX_CELLS 16384

struct cc__locator {
	struct cc_store *st;    /* borrowed */
	GEOSContextHandle_t gh; /* started on first use */
	struct cc__geom *geoms; /* owned, n_geoms */
	size_t n_geoms, cap_geoms;
	struct cc__ixmap *geom_ix; /* owned: area id → index in geoms */
	struct cc__cell *cells;    /* owned, n_cells: areas whose box meets a grid cell */
	size_t n_cells, cap_cells;
	struct cc__ixmap *cell_ix; /* owned: the cell (row, col) → index in cells */
	double last_lat, last_lon; /* the last point placed and its area */
	int64_t last_area;
	int last_level;
	bool have_last;
};

/* A locator over st (zeroed otherwise; release it whatever happens). */
void cc__locator_init(struct cc__locator *l, struct cc_store *st);
void cc__locator_release(struct cc__locator *l);
/*
 * The deepest area whose geometry covers (lat, lon) into *area_out and its level into
 * *level_out (NULL: not wanted); 0 and -1 when none. 0 or an error.
 */
int cc__locate(struct cc__locator *l, double lat, double lon, int64_t *area_out, int *level_out,
               struct cc_err *err);

#endif
