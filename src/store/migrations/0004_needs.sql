-- Version 4: needs and population.
--
-- need: people in need, targeted and reached by area × sector from a needs assessment (HNO,
-- JIAF), one row per figure of the file. Rows broken down by sex, age group, population group or
-- disability keep the breakdown in their own columns and have is_total = 0; only rows with
-- is_total = 1 are totals, so nothing ever adds up overlapping breakdowns. area_id NULL: the
-- whole country of the mission; sector_id NULL: intersectoral (all sectors, HNO code ALL).
-- Numbers NULL: not given (never 0). severity NULL: not given, else 1..5.
CREATE TABLE need (
	id INTEGER PRIMARY KEY,
	mission_id INTEGER NOT NULL REFERENCES mission (id),
	source_id INTEGER NOT NULL REFERENCES source (id),
	area_id INTEGER REFERENCES area (id),
	sector_id INTEGER REFERENCES sector (id),
	period_from INTEGER,
	period_to INTEGER,
	is_total INTEGER NOT NULL CHECK (is_total IN (0, 1)),
	sex TEXT,
	age_group TEXT,
	pop_group TEXT,
	disability TEXT,
	label TEXT,
	population REAL CHECK (population >= 0),
	in_need REAL CHECK (in_need >= 0),
	targeted REAL CHECK (targeted >= 0),
	affected REAL CHECK (affected >= 0),
	reached REAL CHECK (reached >= 0),
	severity INTEGER CHECK (severity BETWEEN 1 AND 5),
	line INTEGER,
	natkey BLOB NOT NULL,
	digest BLOB NOT NULL,
	batch INTEGER,
	UNIQUE (source_id, natkey)
);
CREATE INDEX need_mission ON need (mission_id, is_total, area_id);

-- population: people living in an area in a year (0: year not stated by the source).
CREATE TABLE population (
	id INTEGER PRIMARY KEY,
	area_id INTEGER NOT NULL REFERENCES area (id),
	year INTEGER NOT NULL DEFAULT 0,
	value INTEGER NOT NULL CHECK (value >= 0),
	source_id INTEGER NOT NULL REFERENCES source (id),
	line INTEGER,
	batch INTEGER,
	UNIQUE (source_id, area_id, year)
);
CREATE INDEX population_area ON population (area_id, year);
