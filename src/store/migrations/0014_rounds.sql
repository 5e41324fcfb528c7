-- Version 14: reporting rounds and gazetteer versions (see include/concord/rounds.h).
--
-- A submission is what one organisation reported in one 3W import: the source (file), the
-- organisation, the reporting period of the source and when it was imported. An import that
-- changes something adds one row per organisation of the source; an import that changes nothing
-- adds none. For an organisation and a period, the latest submission is the one that counts, so
-- a quarter sent twice (a corrected file under another name) is never counted twice. Times are
-- ISO 8601 UTC text, as source.imported_at.
CREATE TABLE submission (
	id INTEGER PRIMARY KEY,
	mission_id INTEGER NOT NULL REFERENCES mission (id),
	source_id INTEGER NOT NULL REFERENCES source (id),
	org_id INTEGER NOT NULL REFERENCES organisation (id),
	period_from INTEGER,
	period_to INTEGER,
	imported_at TEXT NOT NULL,
	batch INTEGER,
	n_rows INTEGER NOT NULL
);
CREATE INDEX submission_source ON submission (source_id, org_id);
CREATE INDEX submission_org ON submission (mission_id, org_id, period_from, period_to);

-- What stores made before this version hold: one submission per source and organisation.
INSERT INTO submission (mission_id, source_id, org_id, period_from, period_to, imported_at,
                        batch, n_rows)
SELECT a.mission_id, a.source_id, a.org_id, s.period_from, s.period_to,
       coalesce(s.imported_at, '1970-01-01T00:00:00Z'), s.batch, count(*)
FROM activity a JOIN source s ON s.id = a.source_id
WHERE a.org_id IS NOT NULL AND s.period_from IS NOT NULL
GROUP BY a.mission_id, a.source_id, a.org_id;

-- Areas are valid between two dates (NULL: open): districts are split, merged and renamed.
ALTER TABLE area ADD COLUMN valid_from INTEGER;
ALTER TABLE area ADD COLUMN valid_to INTEGER;

-- Old areas onto new ones: from date on, share of what was counted in old_id belongs to new_id.
-- The shares of one old area at one date add up to 1 (checked by the importer).
CREATE TABLE area_crosswalk (
	old_id INTEGER NOT NULL REFERENCES area (id),
	new_id INTEGER NOT NULL REFERENCES area (id),
	share REAL NOT NULL CHECK (share > 0 AND share <= 1),
	date INTEGER NOT NULL,
	source TEXT,
	PRIMARY KEY (old_id, new_id, date)
) WITHOUT ROWID;
