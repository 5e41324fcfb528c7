-- Version 3: conflict events (incidents) from ACLED and UCDP GED.
--
-- Kept narrow, because exposure reads millions of them by date and box. An incident is
-- identified by its source and the source's id, so re-imports update and never duplicate.
-- date_end is never NULL (= date for one-day events), so the read by window is two ranges.
-- digest covers every stored field (tells an updated event from an unchanged one); batch is
-- the change-log batch that last wrote the row, line its line in that file.
CREATE TABLE incident (
	id INTEGER PRIMARY KEY,
	source TEXT NOT NULL CHECK (source IN ('acled', 'ucdp')),
	source_id TEXT NOT NULL,
	date INTEGER NOT NULL,
	date_end INTEGER NOT NULL,
	date_prec INTEGER,
	type TEXT,
	sub_type TEXT,
	actor1 TEXT,
	actor2 TEXT,
	lat REAL NOT NULL,
	lon REAL NOT NULL,
	geo_prec INTEGER,
	area_id INTEGER REFERENCES area (id),
	fatalities REAL,
	fat_low REAL,
	fat_high REAL,
	revised INTEGER,
	notes TEXT,
	digest BLOB NOT NULL,
	batch INTEGER NOT NULL,
	line INTEGER,
	UNIQUE (source, source_id)
);
-- The window read: incidents whose last day is after the window's start (the tail of the
-- table when the window ends at the latest incident), filtered on the first day.
CREATE INDEX incident_date_end ON incident (date_end, date);
