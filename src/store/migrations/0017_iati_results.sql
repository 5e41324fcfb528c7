-- Version 17: every value of an IATI result, and which copy of an activity is kept
-- (src/store/sqlite_iati.c).
--
-- iati_result_value holds each baseline, target and actual of an indicator as read, with the
-- activity locations and the dimensions it names; iati_indicator.baseline and
-- iati_period.target/actual keep only the whole-mission totals that fed the indicator tables.
-- last_updated is the activity's last-updated-datetime: when two files carry the same
-- iati-identifier, the copy updated last is the one stored (lookup by mission and identifier).

ALTER TABLE iati_activity ADD COLUMN last_updated TEXT;
CREATE INDEX iati_activity_mission_key ON iati_activity (mission_id, identifier);

CREATE TABLE iati_result_value (
	activity_id INTEGER NOT NULL REFERENCES iati_activity (id),
	seq INTEGER NOT NULL,
	indicator INTEGER NOT NULL, -- iati_indicator.seq
	period INTEGER,             -- iati_period.seq; NULL for a baseline
	kind TEXT NOT NULL CHECK (kind IN ('baseline', 'target', 'actual')),
	value REAL,                 -- NULL when absent or not a number
	date INTEGER,               -- a baseline's date
	locations TEXT,             -- refs of the activity's locations, ';' between
	dimensions TEXT,            -- "name=value", a line each
	PRIMARY KEY (activity_id, seq)
) WITHOUT ROWID;
