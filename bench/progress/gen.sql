-- bench/progress/gen.sql: indicators, benchmarks and observations for the progress benchmark,
-- generated inside SQLite (no files), deterministically. Parameters come from the temp table
-- p(n_ind, n_areas, per_ind, months) the caller creates first. Each indicator is measured in
-- per_ind of the n_areas district areas (area (7 i + 10 t) mod n_areas, t < per_ind), monthly
-- for `months` months from January 2020: value = base + slope × month + noise, where base,
-- slope and noise are fixed functions of the indicator, the area and the month. Indicators
-- alternate between higher and lower is better. Every series has a baseline (2019-12-31, the
-- base) and a target (2025-12-31, base ± 100).
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -1000000;

CREATE TEMP TABLE ar AS
	SELECT id, row_number() OVER (ORDER BY pcode) - 1 AS k FROM area WHERE level = 2
	ORDER BY pcode LIMIT (SELECT n_areas FROM p);

BEGIN;
INSERT INTO indicator (mission_id, code, name, pillar, unit, measure, higher_is_better,
                       aggregation, period_days)
	WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s
	                        WHERE i + 1 < (SELECT n_ind FROM p))
	SELECT (SELECT id FROM mission LIMIT 1), printf('B%05d', i), printf('Bench indicator %d', i),
	       'security', 'count', 1, 1 - i % 2, 'sum', 31 FROM s;

CREATE TEMP TABLE ser AS
	WITH RECURSIVE t(t) AS (SELECT 0 UNION ALL SELECT t + 1 FROM t
	                        WHERE t + 1 < (SELECT per_ind FROM p))
	SELECT ind.id AS indicator_id, ar.id AS area_id, ind.higher_is_better AS up,
	       100 + (ind.id * 37 + ar.id * 11) % 400 AS base,
	       ((ind.id * 13 + ar.id * 7) % 41 - 10) / 10.0 AS slope
	FROM indicator ind CROSS JOIN t JOIN ar ON ar.k = ((ind.id - 1) * 7 + t.t * 10) % (SELECT n_areas FROM p)
	WHERE ind.code LIKE 'B%';

INSERT INTO benchmark (indicator_id, area_id, kind, date, value)
	SELECT indicator_id, area_id, 'baseline', 18261, base FROM ser;      -- 2019-12-31
INSERT INTO benchmark (indicator_id, area_id, kind, date, value)
	SELECT indicator_id, area_id, 'target', 20453,                       -- 2025-12-31
	       CASE up WHEN 1 THEN base + 100 ELSE base - 100 END FROM ser;

INSERT INTO observation (indicator_id, area_id, period_start, period_end, value, source)
	WITH RECURSIVE m(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM m
	                        WHERE m + 1 < (SELECT months FROM p)),
	ends(m, d0, d1) AS (SELECT m,
	       CAST(julianday(date('2020-01-01', printf('+%d months', m))) - 2440587.5 AS INTEGER),
	       CAST(julianday(date('2020-01-01', printf('+%d months', m + 1), '-1 day')) - 2440587.5
	            AS INTEGER) FROM m)
	SELECT indicator_id, area_id, d0, d1,
	       base + (CASE up WHEN 1 THEN 1 ELSE -1 END) * slope * m
	            + ((indicator_id * 31 + area_id * 17 + m * 13) % 97) / 9.7,
	       'bench'
	FROM ser CROSS JOIN ends ORDER BY indicator_id, area_id, d1;
COMMIT;
ANALYZE;
