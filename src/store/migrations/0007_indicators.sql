-- Version 7: indicators, benchmarks and observations.
--
-- An indicator belongs to a mission; benchmarks (baseline, milestones, target) and observations
-- belong to an indicator × area × disaggregation. area_id NULL is the whole mission; sex and
-- age_group NULL is the total. A missing observed value is NULL, never 0.

CREATE TABLE indicator (
	id INTEGER PRIMARY KEY,
	mission_id INTEGER NOT NULL REFERENCES mission (id),
	code TEXT NOT NULL,
	name TEXT NOT NULL,
	pillar TEXT,
	unit TEXT,
	-- IATI IndicatorMeasure: 1 unit, 2 percentage, 3 nominal, 4 ordinal, 5 qualitative
	measure INTEGER NOT NULL CHECK (measure BETWEEN 1 AND 5),
	higher_is_better INTEGER NOT NULL CHECK (higher_is_better IN (0, 1)),
	aggregation TEXT NOT NULL
		CHECK (aggregation IN ('sum', 'mean', 'population_weighted_mean', 'max', 'latest')),
	period_days INTEGER CHECK (period_days > 0), -- reporting period, NULL unknown
	goal_min REAL, -- goalposts for normalisation, NULL unset
	goal_max REAL,
	UNIQUE (mission_id, code)
);

CREATE TABLE benchmark (
	id INTEGER PRIMARY KEY,
	indicator_id INTEGER NOT NULL REFERENCES indicator (id),
	area_id INTEGER REFERENCES area (id),
	sex TEXT,
	age_group TEXT,
	kind TEXT NOT NULL CHECK (kind IN ('baseline', 'milestone', 'target')),
	date INTEGER NOT NULL, -- days since 1970-01-01
	value REAL NOT NULL
);
-- one baseline and one target per series; milestones by date
CREATE UNIQUE INDEX benchmark_key ON benchmark (indicator_id, ifnull(area_id, 0),
	ifnull(sex, ''), ifnull(age_group, ''), kind, CASE kind WHEN 'milestone' THEN date ELSE 0 END);

CREATE TABLE observation (
	id INTEGER PRIMARY KEY,
	indicator_id INTEGER NOT NULL REFERENCES indicator (id),
	area_id INTEGER REFERENCES area (id),
	sex TEXT,
	age_group TEXT,
	period_start INTEGER,
	period_end INTEGER NOT NULL,
	value REAL,
	source TEXT,
	confidence TEXT CHECK (confidence IN ('high', 'medium', 'low'))
);
CREATE UNIQUE INDEX observation_key ON observation (indicator_id, ifnull(area_id, 0),
	ifnull(sex, ''), ifnull(age_group, ''), period_end);
