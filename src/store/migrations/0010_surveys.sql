-- Version 10: perception surveys (questions, respondents, answers) and stakeholder feedback.
--
-- A respondent belongs to a mission and a wave and is keyed by the file's respondent id
-- (KoboToolbox _uuid, ODK KEY …) or, when the file has none, by its source and line. One
-- answer per respondent × question: value holds a numeric answer, code the answer as written
-- (a choice code or text); status says whether it was answered or is "don't know", "refused" or
-- missing (never 0). Personal data of respondents and feedback givers (names, phone numbers)
-- sit in their own column, listed in sensitive_column, so that retention can redact them
-- without touching the answers.

CREATE TABLE survey_question (
	id INTEGER PRIMARY KEY,
	mission_id INTEGER NOT NULL REFERENCES mission (id),
	name TEXT NOT NULL,
	label TEXT,
	type TEXT, -- XLSForm type: integer, decimal, select_one, select_multiple, text, … NULL unknown
	list_name TEXT, -- choice list of a select_one / select_multiple
	UNIQUE (mission_id, name)
);

CREATE TABLE survey_choice (
	question_id INTEGER NOT NULL REFERENCES survey_question (id) ON DELETE CASCADE,
	code TEXT NOT NULL,
	label TEXT,
	PRIMARY KEY (question_id, code)
) WITHOUT ROWID;

CREATE TABLE survey_respondent (
	id INTEGER PRIMARY KEY,
	mission_id INTEGER NOT NULL REFERENCES mission (id),
	wave TEXT NOT NULL,
	key TEXT NOT NULL,
	source_id INTEGER REFERENCES source (id),
	line INTEGER,
	batch INTEGER, -- the last import batch that read this respondent
	area_id INTEGER REFERENCES area (id),
	weight REAL NOT NULL CHECK (weight >= 0),
	personal TEXT, -- SENSITIVE: JSON object of the columns marked personal; NULL none or redacted
	UNIQUE (mission_id, wave, key)
);
CREATE INDEX survey_respondent_source ON survey_respondent (source_id, batch);

CREATE TABLE survey_answer (
	respondent_id INTEGER NOT NULL REFERENCES survey_respondent (id) ON DELETE CASCADE,
	question_id INTEGER NOT NULL REFERENCES survey_question (id),
	status TEXT NOT NULL CHECK (status IN ('answered', 'dont_know', 'refused', 'missing')),
	value REAL,
	code TEXT,
	PRIMARY KEY (respondent_id, question_id)
) WITHOUT ROWID;
CREATE INDEX survey_answer_question ON survey_answer (question_id);

CREATE TABLE feedback (
	id INTEGER PRIMARY KEY,
	mission_id INTEGER NOT NULL REFERENCES mission (id),
	key TEXT NOT NULL, -- the file's id, else a digest of date, area, channel, organisation, text
	date INTEGER NOT NULL, -- days since 1970-01-01
	area_id INTEGER REFERENCES area (id),
	channel TEXT,
	organisation TEXT,
	text TEXT NOT NULL,
	category TEXT,
	sentiment TEXT CHECK (sentiment IN ('positive', 'neutral', 'negative')),
	giver TEXT, -- SENSITIVE: JSON object of the giver's personal data; NULL none or redacted
	UNIQUE (mission_id, key)
);
CREATE INDEX feedback_date ON feedback (mission_id, date);

-- Full-text index over the feedback text and its category; the rowid is feedback.id. Kept in
-- step by the store's feedback writes (no triggers), as lesson_fts is.
CREATE VIRTUAL TABLE feedback_fts USING fts5(text, category, channel, organisation,
	tokenize = 'porter unicode61 remove_diacritics 2');

-- Columns holding personal data, for retention and redaction: whatever the domain, these are
-- the places to blank.
CREATE TABLE IF NOT EXISTS sensitive_column (
	tbl TEXT NOT NULL,
	col TEXT NOT NULL,
	what TEXT NOT NULL,
	PRIMARY KEY (tbl, col)
) WITHOUT ROWID;
INSERT OR IGNORE INTO sensitive_column (tbl, col, what) VALUES
	('survey_respondent', 'personal', 'respondent personal data (columns marked --personal)'),
	('feedback', 'giver', 'feedback giver personal data');
