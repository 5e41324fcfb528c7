-- PostgreSQL store schema, version 7: perception surveys (questions, choices, respondents,
-- answers) and stakeholder feedback (SQLite's 0010, with the markings of 0015). Never edit a
-- migration that has shipped.
--
-- Names, columns and column order are SQLite's as its migrations leave them, so that the same
-- rows hash alike (cc_store_digest). Dates are integer day numbers; text is COLLATE "C".
-- survey_question, survey_respondent and feedback have no sequence: a new row's id is the
-- highest stored plus one, given under the survey domain's advisory lock as SQLite gives a
-- rowid (postgres_survey.c), so ids stay SQLite's and respondents can be sent many at a time.

CREATE TABLE survey_question (
	id bigint PRIMARY KEY,
	mission_id bigint NOT NULL REFERENCES mission (id),
	name text COLLATE "C" NOT NULL,
	label text COLLATE "C",
	type text COLLATE "C",
	list_name text COLLATE "C",
	UNIQUE (mission_id, name)
);

CREATE TABLE survey_choice (
	question_id bigint NOT NULL REFERENCES survey_question (id) ON DELETE CASCADE,
	code text COLLATE "C" NOT NULL,
	label text COLLATE "C",
	PRIMARY KEY (question_id, code)
);

CREATE TABLE survey_respondent (
	id bigint PRIMARY KEY,
	mission_id bigint NOT NULL REFERENCES mission (id),
	wave text COLLATE "C" NOT NULL,
	key text COLLATE "C" NOT NULL,
	source_id bigint REFERENCES source (id),
	line bigint,
	batch bigint,
	area_id bigint REFERENCES area (id),
	weight double precision NOT NULL CHECK (weight >= 0),
	personal text COLLATE "C", -- SENSITIVE (sensitive_column)
	releasability text COLLATE "C" NOT NULL DEFAULT 'public',
	owner_id bigint REFERENCES organisation (id),
	deny bigint NOT NULL DEFAULT 0,
	shared integer NOT NULL DEFAULT 0,
	UNIQUE (mission_id, wave, key)
);
CREATE INDEX survey_respondent_source ON survey_respondent (source_id, batch);

CREATE TABLE survey_answer (
	respondent_id bigint NOT NULL REFERENCES survey_respondent (id) ON DELETE CASCADE,
	question_id bigint NOT NULL REFERENCES survey_question (id),
	status text COLLATE "C" NOT NULL
		CHECK (status IN ('answered', 'dont_know', 'refused', 'missing')),
	value double precision,
	code text COLLATE "C",
	PRIMARY KEY (respondent_id, question_id)
);
CREATE INDEX survey_answer_question ON survey_answer (question_id);

CREATE TABLE feedback (
	id bigint PRIMARY KEY,
	mission_id bigint NOT NULL REFERENCES mission (id),
	key text COLLATE "C" NOT NULL,
	date integer NOT NULL,
	area_id bigint REFERENCES area (id),
	channel text COLLATE "C",
	organisation text COLLATE "C",
	text text COLLATE "C" NOT NULL,
	category text COLLATE "C",
	sentiment text COLLATE "C" CHECK (sentiment IN ('positive', 'neutral', 'negative')),
	giver text COLLATE "C", -- SENSITIVE (sensitive_column)
	releasability text COLLATE "C" NOT NULL DEFAULT 'public',
	owner_id bigint REFERENCES organisation (id),
	deny bigint NOT NULL DEFAULT 0,
	shared integer NOT NULL DEFAULT 0,
	UNIQUE (mission_id, key)
);
CREATE INDEX feedback_date ON feedback (mission_id, date);

-- The full-text index of feedback, SQLite's feedback_fts: each item's tokens as SQLite's FTS5
-- makes them (its porter tokenizer over unicode61 with remove_diacritics 2, run in the
-- program), as a tsvector whose weights A, B, C, D are the columns text, category, channel and
-- organisation, and its number of tokens, which the ranking (bm25, as FTS5 computes it) needs.
-- Kept in step by the store's feedback writes. Not an SQLite table: the digest leaves it out.
CREATE TABLE feedback_fts (
	id bigint PRIMARY KEY REFERENCES feedback (id) ON DELETE CASCADE,
	doc tsvector NOT NULL,
	ntok integer NOT NULL
);
CREATE INDEX feedback_fts_doc ON feedback_fts USING gin (doc);

-- Columns holding personal data, for retention and redaction.
CREATE TABLE IF NOT EXISTS sensitive_column (
	tbl text COLLATE "C" NOT NULL,
	col text COLLATE "C" NOT NULL,
	what text COLLATE "C" NOT NULL,
	PRIMARY KEY (tbl, col)
);
INSERT INTO sensitive_column (tbl, col, what) VALUES
	('survey_respondent', 'personal', 'respondent personal data (columns marked --personal)'),
	('feedback', 'giver', 'feedback giver personal data')
	ON CONFLICT DO NOTHING;
