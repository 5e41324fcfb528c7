-- Concord store schema, version 1. Applied by src/store/sqlite.c in one transaction together
-- with PRAGMA user_version = 1. Later changes go into 0002_*.sql and so on; never edit a
-- migration that has shipped.
--
-- Conventions: dates are INTEGER day numbers since 1970-01-01; absent numbers, dates and
-- optional text are NULL (never 0 or ''). The activity table is kept lean because imports
-- write it a million rows at a time.

-- Counters that are not records (the import batch number); left out of cc_store_digest.
CREATE TABLE meta (
	key TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('batch', 0);

CREATE TABLE mission (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	country TEXT,
	start_date INTEGER,
	end_date INTEGER
);

-- IATI code lists by file name ("Sector", "SectorCategory", "IASCCluster", ...).
CREATE TABLE codelist (
	list TEXT NOT NULL,
	code TEXT NOT NULL,
	name TEXT,
	category TEXT,
	PRIMARY KEY (list, code)
) WITHOUT ROWID;

-- Text real files use for a code; alias stored as given, matched case-insensitively (ASCII).
CREATE TABLE code_alias (
	list TEXT NOT NULL,
	alias TEXT NOT NULL COLLATE NOCASE,
	code TEXT NOT NULL,
	scope TEXT NOT NULL DEFAULT '',
	source TEXT,
	PRIMARY KEY (list, alias, scope)
) WITHOUT ROWID;

-- Sectors under their IATI SectorVocabulary: "1" DAC-5, "2" DAC-3, "10" IASC cluster.
CREATE TABLE sector (
	id INTEGER PRIMARY KEY,
	vocabulary TEXT NOT NULL,
	code TEXT NOT NULL,
	name TEXT,
	category TEXT,
	UNIQUE (vocabulary, code)
);

-- Sector -> pillar, resolved at query time: mission_id 0 holds the shipped defaults.
CREATE TABLE pillar_map (
	mission_id INTEGER NOT NULL DEFAULT 0,
	vocabulary TEXT NOT NULL,
	code TEXT NOT NULL,
	pillar TEXT NOT NULL CHECK (pillar IN ('security', 'governance', 'infrastructure',
	                                       'economy', 'humanitarian', 'other')),
	PRIMARY KEY (mission_id, vocabulary, code)
) WITHOUT ROWID;

CREATE TABLE area (
	id INTEGER PRIMARY KEY,
	pcode TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	name_norm TEXT NOT NULL,
	level INTEGER NOT NULL,
	parent_id INTEGER REFERENCES area (id),
	population INTEGER,
	geom BLOB,
	minx REAL,
	miny REAL,
	maxx REAL,
	maxy REAL
);
CREATE INDEX area_parent ON area (parent_id);
CREATE INDEX area_name ON area (name_norm, level);
CREATE VIRTUAL TABLE area_rtree USING rtree (id, minx, maxx, miny, maxy);

CREATE TABLE area_alias (
	alias_norm TEXT NOT NULL,
	area_id INTEGER NOT NULL REFERENCES area (id),
	source TEXT,
	PRIMARY KEY (alias_norm, area_id)
) WITHOUT ROWID;

CREATE TABLE organisation (
	id INTEGER PRIMARY KEY,
	mission_id INTEGER NOT NULL,
	key TEXT NOT NULL,
	name TEXT NOT NULL,
	acronym TEXT,
	type TEXT,
	kind TEXT,
	is_local INTEGER,
	nation TEXT,
	UNIQUE (mission_id, key)
);

CREATE TABLE org_alias (
	mission_id INTEGER NOT NULL,
	alias_norm TEXT NOT NULL,
	org_id INTEGER NOT NULL REFERENCES organisation (id),
	PRIMARY KEY (mission_id, alias_norm)
) WITHOUT ROWID;

CREATE TABLE source (
	id INTEGER PRIMARY KEY,
	mission_id INTEGER NOT NULL,
	name TEXT NOT NULL,
	digest TEXT,
	batch INTEGER,
	period_from INTEGER,
	period_to INTEGER,
	imported_at TEXT,
	UNIQUE (mission_id, name)
);

-- natkey identifies a row within its source; digest covers every stored field. The pillar is
-- never stored here: it is resolved from sector and pillar_map when read.
--
-- One index only, the import's key. Measured on 1M rows over 400 areas: an index on
-- (mission_id, area_id) made the import 35% slower (4.1 s against 3.0 s) and the coverage read
-- twice as slow (1.2 s against 0.65 s), because SQLite then fetched the rows in area order
-- instead of reading the table once. The coverage read is one pass over the table.
CREATE TABLE activity (
	id INTEGER PRIMARY KEY,
	mission_id INTEGER NOT NULL,
	source_id INTEGER NOT NULL REFERENCES source (id),
	natkey BLOB NOT NULL,
	digest BLOB NOT NULL,
	batch INTEGER NOT NULL,
	line INTEGER,
	kind INTEGER NOT NULL,
	title TEXT,
	description TEXT,
	status TEXT,
	org_id INTEGER,
	impl_org_id INTEGER,
	funder_org_id INTEGER,
	sector_id INTEGER,
	area_id INTEGER,
	lat REAL,
	lon REAL,
	start_date INTEGER,
	end_date INTEGER,
	targeted REAL,
	reached REAL,
	budget REAL,
	currency TEXT,
	releasability TEXT NOT NULL DEFAULT 'public'
);
CREATE UNIQUE INDEX activity_natkey ON activity (source_id, natkey);

-- The change log = the audit log: append-only, each entry's hash is the hex SHA-256 of the
-- previous entry's hash and this entry's fields (see change_hash() in src/store/sqlite.c).
CREATE TABLE change (
	id INTEGER PRIMARY KEY,
	at TEXT NOT NULL,
	who TEXT NOT NULL,
	tbl TEXT NOT NULL,
	op TEXT NOT NULL,
	record_id INTEGER,
	first_id INTEGER,
	last_id INTEGER,
	batch INTEGER,
	count INTEGER NOT NULL DEFAULT 0,
	mission_id INTEGER,
	releasability TEXT NOT NULL DEFAULT 'public',
	detail TEXT,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
CREATE TRIGGER change_no_update BEFORE UPDATE ON change
BEGIN
	SELECT RAISE (ABORT, 'the change log is append-only');
END;
CREATE TRIGGER change_no_delete BEFORE DELETE ON change
BEGIN
	SELECT RAISE (ABORT, 'the change log is append-only');
END;
