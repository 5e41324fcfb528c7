-- Version 5: the lessons-learned register.
--
-- A lesson in the observation / discussion / conclusion / recommendation (ODCR) form. mission_id
-- is NULL for lessons that belong to no mission (the shipped seed register). pillars, areas and
-- tags are comma-separated lists, pillars by name ("security,governance"). status follows
-- observed -> analysed -> action-assigned -> implemented -> validated; the store's write
-- functions check each move. digest covers every field and the evidence links, so a re-import
-- can tell an unchanged lesson from an updated one.
CREATE TABLE lesson (
	id INTEGER PRIMARY KEY,
	mission_id INTEGER REFERENCES mission (id),
	key TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	observation TEXT NOT NULL,
	discussion TEXT,
	conclusion TEXT,
	recommendation TEXT,
	pillars TEXT,
	areas TEXT,
	tags TEXT,
	date INTEGER,
	source TEXT,
	status TEXT NOT NULL DEFAULT 'observed' CHECK (status IN ('observed', 'analysed',
		'action-assigned', 'implemented', 'validated')),
	owner TEXT,
	releasability TEXT NOT NULL DEFAULT 'public',
	digest TEXT
);
CREATE INDEX lesson_mission ON lesson (mission_id);

-- The evidence behind a lesson: an activity, indicator, incident, area or report, named by
-- its id or key (ref, as text: the evidence may live in a domain stored later, or elsewhere).
CREATE TABLE lesson_link (
	lesson_id INTEGER NOT NULL REFERENCES lesson (id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('activity', 'indicator', 'incident', 'area', 'report')),
	ref TEXT NOT NULL,
	PRIMARY KEY (lesson_id, kind, ref)
) WITHOUT ROWID;
CREATE INDEX lesson_link_evidence ON lesson_link (kind, ref);

-- Full-text index over title, ODCR and tags with stemming (porter) and diacritics folded; the
-- rowid is lesson.id. Kept in step by the store's lesson writes (no triggers).
CREATE VIRTUAL TABLE lesson_fts USING fts5(title, observation, discussion, conclusion,
	recommendation, tags, tokenize = 'porter unicode61 remove_diacritics 2');
