-- PostgreSQL store schema, version 6: IATI activities and their details (SQLite's 0009 and
-- 0017: the values of results, and last_updated, which SQLite's ALTER TABLE adds at the end).
-- Never edit a migration that has shipped.
--
-- Names, columns and column order are SQLite's, so that the same rows hash alike
-- (cc_store_digest). Dates are integer day numbers; absent numbers and optional text are NULL;
-- text is COLLATE "C". An activity's id has no sequence: it is the highest stored plus one,
-- given by the program under an advisory lock that every writer of the table takes, as SQLite
-- gives a rowid (postgres_iati.c), so ids stay SQLite's and an import can send its rows many
-- at a time. The detail tables are keyed (activity_id, seq) as SQLite's WITHOUT ROWID tables.

CREATE TABLE iati_activity (
	id bigint PRIMARY KEY,
	mission_id bigint NOT NULL REFERENCES mission (id),
	source_id bigint NOT NULL REFERENCES source (id),
	identifier text COLLATE "C" NOT NULL,
	digest bytea NOT NULL,
	batch bigint NOT NULL,
	line bigint,
	version text COLLATE "C" NOT NULL,
	title text COLLATE "C",
	description text COLLATE "C",
	status text COLLATE "C",
	default_currency text COLLATE "C",
	hierarchy bigint,
	humanitarian integer NOT NULL DEFAULT 0,
	reporting_ref text COLLATE "C",
	reporting_type text COLLATE "C",
	reporting_name text COLLATE "C",
	last_updated text COLLATE "C"
);
CREATE UNIQUE INDEX iati_activity_key ON iati_activity (source_id, identifier);
CREATE INDEX iati_activity_mission_key ON iati_activity (mission_id, identifier);

CREATE TABLE iati_org (
	activity_id bigint NOT NULL REFERENCES iati_activity (id),
	seq bigint NOT NULL,
	role text COLLATE "C",
	type text COLLATE "C",
	ref text COLLATE "C",
	name text COLLATE "C",
	PRIMARY KEY (activity_id, seq)
);

CREATE TABLE iati_date (
	activity_id bigint NOT NULL REFERENCES iati_activity (id),
	seq bigint NOT NULL,
	type integer NOT NULL CHECK (type BETWEEN 1 AND 4),
	date integer NOT NULL,
	PRIMARY KEY (activity_id, seq)
);

CREATE TABLE iati_recipient (
	activity_id bigint NOT NULL REFERENCES iati_activity (id),
	seq bigint NOT NULL,
	kind text COLLATE "C" NOT NULL CHECK (kind IN ('country', 'region')),
	code text COLLATE "C" NOT NULL,
	vocabulary text COLLATE "C",
	percentage double precision,
	PRIMARY KEY (activity_id, seq)
);

CREATE TABLE iati_sector (
	activity_id bigint NOT NULL REFERENCES iati_activity (id),
	seq bigint NOT NULL,
	vocabulary text COLLATE "C" NOT NULL,
	code text COLLATE "C" NOT NULL,
	percentage double precision,
	PRIMARY KEY (activity_id, seq)
);

CREATE TABLE iati_location (
	activity_id bigint NOT NULL REFERENCES iati_activity (id),
	seq bigint NOT NULL,
	ref text COLLATE "C",
	name text COLLATE "C",
	lat double precision,
	lon double precision,
	exactness text COLLATE "C",
	admin text COLLATE "C",
	area_id bigint REFERENCES area (id),
	PRIMARY KEY (activity_id, seq)
);

CREATE TABLE iati_budget (
	activity_id bigint NOT NULL REFERENCES iati_activity (id),
	seq bigint NOT NULL,
	kind text COLLATE "C" NOT NULL CHECK (kind IN ('budget', 'planned-disbursement')),
	type text COLLATE "C",
	status text COLLATE "C",
	period_start integer,
	period_end integer,
	value double precision NOT NULL,
	currency text COLLATE "C",
	value_date integer,
	PRIMARY KEY (activity_id, seq)
);

CREATE TABLE iati_transaction (
	activity_id bigint NOT NULL REFERENCES iati_activity (id),
	seq bigint NOT NULL,
	type text COLLATE "C" NOT NULL,
	date integer,
	value double precision NOT NULL,
	currency text COLLATE "C",
	value_date integer,
	provider_ref text COLLATE "C",
	provider_name text COLLATE "C",
	receiver_ref text COLLATE "C",
	receiver_name text COLLATE "C",
	PRIMARY KEY (activity_id, seq)
);

CREATE TABLE iati_indicator (
	activity_id bigint NOT NULL REFERENCES iati_activity (id),
	seq bigint NOT NULL,
	result bigint NOT NULL,
	position bigint NOT NULL,
	result_type text COLLATE "C",
	indicator_code text COLLATE "C" NOT NULL,
	ref text COLLATE "C",
	title text COLLATE "C",
	measure integer NOT NULL,
	ascending integer NOT NULL,
	baseline_date integer,
	baseline double precision,
	n_periods bigint NOT NULL,
	PRIMARY KEY (activity_id, seq)
);

CREATE TABLE iati_period (
	activity_id bigint NOT NULL REFERENCES iati_activity (id),
	seq bigint NOT NULL,
	indicator bigint NOT NULL,
	period_start integer,
	period_end integer,
	target double precision,
	actual double precision,
	PRIMARY KEY (activity_id, seq)
);

CREATE TABLE iati_result_value (
	activity_id bigint NOT NULL REFERENCES iati_activity (id),
	seq bigint NOT NULL,
	indicator bigint NOT NULL,
	period bigint,
	kind text COLLATE "C" NOT NULL CHECK (kind IN ('baseline', 'target', 'actual')),
	value double precision,
	date integer,
	locations text COLLATE "C",
	dimensions text COLLATE "C",
	PRIMARY KEY (activity_id, seq)
);
