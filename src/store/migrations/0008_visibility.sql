-- Version 8: who may see what (see include/concord/visibility.h).
--
-- mission_member lists the organisations that belong to a mission: they are the audience of
-- records marked 'partners'. share lists the organisations a record is shared with by name
-- (tbl is the record's table); a record with such rows has shared = 1, so that readers test
-- the share table only for those records. deny is a bit set of organisation kinds that may
-- not see the record (1 military, 2 un, 4 eu, 8 government, 16 ngo, 32 rcrc, 64 private,
-- 128 other). owner_id is the organisation that holds the record; NULL is the coordination
-- cell of the mission. geo_rel and figures_rel are stricter markings of an activity's exact
-- site and of its figures (people targeted and reached, budget); NULL: the record's own.
CREATE TABLE mission_member (
	mission_id INTEGER NOT NULL REFERENCES mission (id),
	org_id INTEGER NOT NULL REFERENCES organisation (id),
	since INTEGER NOT NULL,
	PRIMARY KEY (mission_id, org_id)
) WITHOUT ROWID;

-- Version 7 and before stored the organisations of 3W imports without their mission (0);
-- their aliases always had it.
UPDATE organisation SET mission_id = coalesce((SELECT min(l.mission_id) FROM org_alias l
	WHERE l.org_id = organisation.id), mission_id) WHERE mission_id = 0;

-- Organisations with users were the members until now.
INSERT INTO mission_member (mission_id, org_id, since)
	SELECT mission_id, org_id, min(created) FROM user_account GROUP BY mission_id, org_id;

CREATE TABLE share (
	tbl TEXT NOT NULL,
	record_id INTEGER NOT NULL,
	org_id INTEGER NOT NULL REFERENCES organisation (id),
	PRIMARY KEY (tbl, record_id, org_id)
) WITHOUT ROWID;

ALTER TABLE activity ADD COLUMN owner_id INTEGER REFERENCES organisation (id);
ALTER TABLE activity ADD COLUMN deny INTEGER NOT NULL DEFAULT 0;
ALTER TABLE activity ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;
ALTER TABLE activity ADD COLUMN geo_rel TEXT;
ALTER TABLE activity ADD COLUMN figures_rel TEXT;

ALTER TABLE incident ADD COLUMN mission_id INTEGER REFERENCES mission (id);
ALTER TABLE incident ADD COLUMN releasability TEXT NOT NULL DEFAULT 'public';
ALTER TABLE incident ADD COLUMN owner_id INTEGER REFERENCES organisation (id);
ALTER TABLE incident ADD COLUMN deny INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incident ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;

ALTER TABLE need ADD COLUMN releasability TEXT NOT NULL DEFAULT 'public';
ALTER TABLE need ADD COLUMN owner_id INTEGER REFERENCES organisation (id);
ALTER TABLE need ADD COLUMN deny INTEGER NOT NULL DEFAULT 0;
ALTER TABLE need ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;

ALTER TABLE lesson ADD COLUMN owner_id INTEGER REFERENCES organisation (id);
ALTER TABLE lesson ADD COLUMN deny INTEGER NOT NULL DEFAULT 0;
ALTER TABLE lesson ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;
