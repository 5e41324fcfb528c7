-- PostgreSQL store schema, version 2: conflict events (incidents) from ACLED and UCDP GED, as
-- SQLite's 0003 with the markings of 0008. Never edit a migration that has shipped.
--
-- The columns are SQLite's, in SQLite's order, so the same rows hash alike (cc_store_digest).
-- area_id has no foreign key, unlike SQLite's: areas are never deleted and the area of an
-- incident is one the writer found in the store, while the key's check (a row lock on the area
-- per incident) cost 40 % of a bulk insert.
--
-- Incidents are partitioned by the year of their first day (date, a day number): one partition
-- per year, named incident_yYYYY and holding the days of 1 January YYYY up to 1 January of the
-- next year. There is no default partition: the writer (src/store/postgres_events.c) creates
-- the partition of a year the first time an import brings an incident of that year, inside the
-- import's transaction (CREATE TABLE … LIKE, then ATTACH PARTITION, which locks the parent
-- table against other DDL only, not against readers and writers), so a rolled-back import
-- leaves no partition behind.
--
-- A unique key must hold the partition key, so (source, source_id) cannot be unique across the
-- partitions of incident itself. It is unique in incident_key, a small unpartitioned table
-- with one row per incident: its source and the source's id, its id, the year of the partition
-- that holds it, and its digest and last batch (what the writer compares on a re-import). A
-- revised date that crosses a year moves the row to the other partition (an UPDATE of the
-- partition key) and changes the year in incident_key; the id stays.
CREATE TABLE incident (
	id bigint NOT NULL,
	source text COLLATE "C" NOT NULL CHECK (source IN ('acled', 'ucdp')),
	source_id text COLLATE "C" NOT NULL,
	date integer NOT NULL,
	date_end integer NOT NULL,
	date_prec integer,
	type text COLLATE "C",
	sub_type text COLLATE "C",
	actor1 text COLLATE "C",
	actor2 text COLLATE "C",
	lat double precision NOT NULL,
	lon double precision NOT NULL,
	geo_prec integer,
	area_id bigint,
	fatalities double precision,
	fat_low double precision,
	fat_high double precision,
	revised bigint,
	notes text COLLATE "C",
	digest bytea NOT NULL,
	batch bigint NOT NULL,
	line bigint,
	mission_id bigint REFERENCES mission (id),
	releasability text COLLATE "C" NOT NULL DEFAULT 'public',
	owner_id bigint REFERENCES organisation (id),
	deny bigint NOT NULL DEFAULT 0,
	shared integer NOT NULL DEFAULT 0,
	PRIMARY KEY (id, date)
) PARTITION BY RANGE (date);

-- The window read (exposure), as SQLite's 0012: events of at most 31 days by first day, the few
-- longer ones (UCDP events dated to the month or the year) through a partial index by last day.
-- "The latest incident" is found through the same two.
CREATE INDEX incident_date ON incident (date, date_end);
CREATE INDEX incident_long ON incident (date_end, date) WHERE date_end - date > 31;

CREATE TABLE incident_key (
	source text COLLATE "C" NOT NULL,
	source_id text COLLATE "C" NOT NULL,
	id bigint NOT NULL UNIQUE,
	year integer NOT NULL,
	digest bytea NOT NULL,
	batch bigint NOT NULL,
	PRIMARY KEY (source, source_id)
);
