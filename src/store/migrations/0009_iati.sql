-- Version 9: IATI activities and their details (src/store/sqlite_iati.c).
--
-- An IATI activity belongs to the source (file) that brought it, keyed by its iati-identifier
-- within that source; digest covers every stored field and detail, so a re-import tells
-- updated from unchanged, and a changed activity has all its detail rows replaced. Codes are
-- IATI 2.0x codes (1.0x text codes are mapped by the importer). Absent numbers, dates and
-- text are NULL.

CREATE TABLE iati_activity (
	id INTEGER PRIMARY KEY,
	mission_id INTEGER NOT NULL REFERENCES mission (id),
	source_id INTEGER NOT NULL REFERENCES source (id),
	identifier TEXT NOT NULL,
	digest BLOB NOT NULL,
	batch INTEGER NOT NULL,
	line INTEGER,
	version TEXT NOT NULL,
	title TEXT,
	description TEXT,
	status TEXT,
	default_currency TEXT,
	hierarchy INTEGER,
	humanitarian INTEGER NOT NULL DEFAULT 0,
	reporting_ref TEXT,
	reporting_type TEXT,
	reporting_name TEXT
);
CREATE UNIQUE INDEX iati_activity_key ON iati_activity (source_id, identifier);

CREATE TABLE iati_org (
	activity_id INTEGER NOT NULL REFERENCES iati_activity (id),
	seq INTEGER NOT NULL,
	role TEXT,
	type TEXT,
	ref TEXT,
	name TEXT,
	PRIMARY KEY (activity_id, seq)
) WITHOUT ROWID;

CREATE TABLE iati_date (
	activity_id INTEGER NOT NULL REFERENCES iati_activity (id),
	seq INTEGER NOT NULL,
	type INTEGER NOT NULL CHECK (type BETWEEN 1 AND 4),
	date INTEGER NOT NULL,
	PRIMARY KEY (activity_id, seq)
) WITHOUT ROWID;

CREATE TABLE iati_recipient (
	activity_id INTEGER NOT NULL REFERENCES iati_activity (id),
	seq INTEGER NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('country', 'region')),
	code TEXT NOT NULL,
	vocabulary TEXT,
	percentage REAL,
	PRIMARY KEY (activity_id, seq)
) WITHOUT ROWID;

CREATE TABLE iati_sector (
	activity_id INTEGER NOT NULL REFERENCES iati_activity (id),
	seq INTEGER NOT NULL,
	vocabulary TEXT NOT NULL,
	code TEXT NOT NULL,
	percentage REAL,
	PRIMARY KEY (activity_id, seq)
) WITHOUT ROWID;

CREATE TABLE iati_location (
	activity_id INTEGER NOT NULL REFERENCES iati_activity (id),
	seq INTEGER NOT NULL,
	ref TEXT,
	name TEXT,
	lat REAL,
	lon REAL,
	exactness TEXT,
	admin TEXT,      -- "vocabulary:level:code" of each administrative element, ';' between
	area_id INTEGER REFERENCES area (id), -- placed by point-in-polygon, NULL none
	PRIMARY KEY (activity_id, seq)
) WITHOUT ROWID;

CREATE TABLE iati_budget (
	activity_id INTEGER NOT NULL REFERENCES iati_activity (id),
	seq INTEGER NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('budget', 'planned-disbursement')),
	type TEXT,
	status TEXT,
	period_start INTEGER,
	period_end INTEGER,
	value REAL NOT NULL,
	currency TEXT,
	value_date INTEGER,
	PRIMARY KEY (activity_id, seq)
) WITHOUT ROWID;

CREATE TABLE iati_transaction (
	activity_id INTEGER NOT NULL REFERENCES iati_activity (id),
	seq INTEGER NOT NULL,
	type TEXT NOT NULL,
	date INTEGER,
	value REAL NOT NULL,
	currency TEXT,
	value_date INTEGER,
	provider_ref TEXT,
	provider_name TEXT,
	receiver_ref TEXT,
	receiver_name TEXT,
	PRIMARY KEY (activity_id, seq)
) WITHOUT ROWID;

-- Result indicators; their baselines, targets and actuals are in benchmark and observation
-- under the indicator whose code is indicator_code.
CREATE TABLE iati_indicator (
	activity_id INTEGER NOT NULL REFERENCES iati_activity (id),
	seq INTEGER NOT NULL,
	result INTEGER NOT NULL,
	position INTEGER NOT NULL,
	result_type TEXT,
	indicator_code TEXT NOT NULL,
	ref TEXT,
	title TEXT,
	measure INTEGER NOT NULL,
	ascending INTEGER NOT NULL,
	baseline_date INTEGER,
	baseline REAL,
	n_periods INTEGER NOT NULL,
	PRIMARY KEY (activity_id, seq)
) WITHOUT ROWID;

-- Periods of an indicator (indicator = iati_indicator.seq): the target and actual as read,
-- NULL when absent or not a number. They also feed benchmark and observation.
CREATE TABLE iati_period (
	activity_id INTEGER NOT NULL REFERENCES iati_activity (id),
	seq INTEGER NOT NULL,
	indicator INTEGER NOT NULL,
	period_start INTEGER,
	period_end INTEGER,
	target REAL,
	actual REAL,
	PRIMARY KEY (activity_id, seq)
) WITHOUT ROWID;
