-- SQLite's functions that the tests' own look into a store uses (tests/cli/*.sh: `sqlite3 STORE
-- SQL`), for the PostgreSQL pass only: made in the test cluster's template database, never in a
-- real store.
CREATE FUNCTION cc_test_concat(acc text, v anyelement, sep text) RETURNS text
	LANGUAGE sql IMMUTABLE AS
	$$ SELECT CASE WHEN v IS NULL THEN acc WHEN acc IS NULL THEN v::text ELSE acc || sep || v::text END $$;
CREATE FUNCTION cc_test_concat1(acc text, v anyelement) RETURNS text
	LANGUAGE sql IMMUTABLE AS $$ SELECT cc_test_concat(acc, v, ',') $$;
CREATE AGGREGATE group_concat(anyelement, text) (SFUNC = cc_test_concat, STYPE = text);
CREATE AGGREGATE group_concat(anyelement) (SFUNC = cc_test_concat1, STYPE = text);
CREATE FUNCTION ifnull(a anyelement, b anyelement) RETURNS anyelement
	LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce(a, b) $$;
CREATE FUNCTION instr(s text, t text) RETURNS integer
	LANGUAGE sql IMMUTABLE AS $$ SELECT strpos(s, t) $$;
CREATE FUNCTION round(x double precision, n integer) RETURNS double precision
	LANGUAGE sql IMMUTABLE AS $$ SELECT round(x::numeric, n)::double precision $$;
CREATE FUNCTION hex(b bytea) RETURNS text
	LANGUAGE sql IMMUTABLE AS $$ SELECT upper(encode(b, 'hex')) $$;
