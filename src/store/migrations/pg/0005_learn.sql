-- PostgreSQL store schema, version 5: the lessons-learned register (SQLite's 0005, with the
-- markings of 0008) and each mission's status rule for its progress (SQLite's 0016). Never
-- edit a migration that has shipped.
--
-- Names, columns and column order are SQLite's as its migrations leave them, so that the same
-- rows hash alike (cc_store_digest). Dates are integer day numbers; text is COLLATE "C".
-- SQLite's full-text index lesson_fts has no table here: the search ranks with FTS5 itself
-- over the lessons' text (src/store/lessons_rank.c), so that hits, order, ranks and snippets
-- are SQLite's.

-- No sequence: a new lesson's id is the highest stored plus one, given by the program under
-- an advisory lock every writer of lessons takes, as SQLite gives a rowid
-- (postgres_lessons.c); its default key LL-NNNN is made from it.
CREATE TABLE lesson (
	id bigint PRIMARY KEY,
	mission_id bigint REFERENCES mission (id),
	key text COLLATE "C" NOT NULL UNIQUE,
	title text COLLATE "C" NOT NULL,
	observation text COLLATE "C" NOT NULL,
	discussion text COLLATE "C",
	conclusion text COLLATE "C",
	recommendation text COLLATE "C",
	pillars text COLLATE "C",
	areas text COLLATE "C",
	tags text COLLATE "C",
	date integer,
	source text COLLATE "C",
	status text COLLATE "C" NOT NULL DEFAULT 'observed' CHECK (status IN ('observed',
		'analysed', 'action-assigned', 'implemented', 'validated')),
	owner text COLLATE "C",
	releasability text COLLATE "C" NOT NULL DEFAULT 'public',
	digest text COLLATE "C",
	owner_id bigint REFERENCES organisation (id),
	deny bigint NOT NULL DEFAULT 0,
	shared integer NOT NULL DEFAULT 0
);
CREATE INDEX lesson_mission ON lesson (mission_id);

CREATE TABLE lesson_link (
	lesson_id bigint NOT NULL REFERENCES lesson (id) ON DELETE CASCADE,
	kind text COLLATE "C" NOT NULL CHECK (kind IN ('activity', 'indicator', 'incident', 'area',
		'report')),
	ref text COLLATE "C" NOT NULL,
	PRIMARY KEY (lesson_id, kind, ref)
);
CREATE INDEX lesson_link_evidence ON lesson_link (kind, ref);

-- A NULL threshold, or no row, keeps the default (see SQLite's 0016).
CREATE TABLE mission_status_rule (
	mission_id bigint PRIMARY KEY REFERENCES mission (id) ON DELETE CASCADE,
	on_track double precision CHECK (on_track > 0 AND on_track <= 1),
	at_risk double precision CHECK (at_risk > 0 AND at_risk <= 1),
	max_age_days integer CHECK (max_age_days BETWEEN 1 AND 36600),
	alpha double precision CHECK (alpha > 0 AND alpha <= 1)
);
