-- PostgreSQL store schema, version 9: row-level security as a second line behind the C
-- visibility rule, and NOTIFY of the change log (issue 10; docs/postgres.md, "Row-level
-- security" and "Several servers on one database").
--
-- cc_visible() (src/store/visibility.c) stays the rule: every read of records decides in C who
-- sees what. These policies say the same thing in SQL on every table that carries a marking, so
-- that a query run under the API's role (a role that owns nothing: `db_role=` of the store's
-- URI) which forgot to filter still sees only what the caller may see. Row-level security is
-- ENABLEd, not FORCEd: the tables' owner (the role that runs migrations, imports and writes)
-- and superusers are not subject to it.
--
-- The caller comes in through settings of the transaction (set_config(..., true), which is
-- SET LOCAL: nothing outlives the transaction, so a transaction-mode pooler may stand between):
--   concord.viewer     operator | org | partners | public ('' or absent: org when
--                      concord.org_id is set, else public; anything else: public)
--   concord.org_id     the caller's organisation (org)
--   concord.mission_id its mission (org: default the organisation's; partners)
--   concord.kinds      its kind bits (org: default from organisation.kind; others: all)
--   concord.member     whether it is a member of its mission (org: default from mission_member)
-- The operator ('operator') sees every row: the setting that lets everything through.

-- The releasability's rank as cc_rel_parse() reads it: public 0, partners 1, org 2; the TLP
-- labels case-insensitively; anything unknown is the strictest.
CREATE FUNCTION concord_rel(r text) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE
		WHEN r = 'public' THEN 0
		WHEN r = 'partners' THEN 1
		WHEN r = 'org' THEN 2
		WHEN upper(r) IN ('TLP:CLEAR', 'TLP:WHITE') THEN 0
		WHEN upper(r) IN ('TLP:GREEN', 'TLP:AMBER') THEN 1
		ELSE 2 END
$$;

-- The bit of an organisation kind (cc_kind_bit): the OrganisationKind list in its order.
CREATE FUNCTION concord_kind_bit(k text) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT coalesce((1::bigint << (array_position(ARRAY['military', 'un', 'eu', 'government',
		'ngo', 'rcrc', 'private', 'other']::text[], k) - 1)), 0)
$$;

CREATE FUNCTION concord_viewer() RETURNS text LANGUAGE sql STABLE AS $$
	SELECT CASE
		WHEN v IN ('operator', 'org', 'partners', 'public') THEN v
		WHEN v = '' AND o <> '' THEN 'org'
		ELSE 'public' END
	FROM (SELECT coalesce(current_setting('concord.viewer', true), '') AS v,
	             coalesce(current_setting('concord.org_id', true), '') AS o) s
$$;

CREATE FUNCTION concord_viewer_org() RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN concord_viewer() = 'org'
		THEN nullif(current_setting('concord.org_id', true), '')::bigint END
$$;

CREATE FUNCTION concord_viewer_mission() RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT coalesce(nullif(current_setting('concord.mission_id', true), '')::bigint,
	                (SELECT o.mission_id FROM organisation o WHERE o.id = concord_viewer_org()))
$$;

CREATE FUNCTION concord_viewer_kinds() RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN concord_viewer() = 'org' THEN
		coalesce(nullif(current_setting('concord.kinds', true), '')::bigint,
		         (SELECT concord_kind_bit(o.kind) FROM organisation o
		          WHERE o.id = concord_viewer_org()), 0)
		ELSE 255 END
$$;

CREATE FUNCTION concord_viewer_member() RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT CASE concord_viewer()
		WHEN 'partners' THEN true
		WHEN 'org' THEN coalesce(nullif(current_setting('concord.member', true), '')::boolean,
			EXISTS (SELECT 1 FROM mission_member m WHERE m.mission_id = concord_viewer_mission()
			        AND m.org_id = concord_viewer_org()))
		ELSE false END
$$;

-- The rule on every table of this schema with the marking columns (id, mission_id, owner_id,
-- releasability, deny, shared): those of the migrations before this one. The viewer's parts
-- are scalar subqueries, computed once per statement, not once per row, and so is the set of
-- records shared with the reader (a hashed subplan). The same rule as cc_visible(), the most
-- common case first: the operator; or no kind of the reader denied and the releasability lets
-- it in (public; partners: a member of the record's mission, or any mission for a record of
-- none); the owner; an organisation the record is shared with by name (share.tbl is the
-- table's name). A later migration that adds a marked table calls concord_protect('name').
CREATE FUNCTION concord_protect(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('ALTER TABLE %1$I ENABLE ROW LEVEL SECURITY', t);
	EXECUTE format($p$CREATE POLICY concord_visible ON %1$I FOR SELECT USING (
		(SELECT concord_viewer() = 'operator')
		OR ((%1$I.deny & (SELECT concord_viewer_kinds())) = 0
		    AND (concord_rel(%1$I.releasability) = 0
		         OR (concord_rel(%1$I.releasability) = 1 AND (SELECT concord_viewer_member())
		             AND (coalesce(%1$I.mission_id, 0) = 0
		                  OR %1$I.mission_id = (SELECT concord_viewer_mission())))))
		OR %1$I.owner_id = (SELECT concord_viewer_org())
		OR (%1$I.shared <> 0 AND %1$I.id IN (SELECT sh.record_id FROM share sh
		    WHERE sh.tbl = %2$L AND sh.org_id = (SELECT concord_viewer_org()))))$p$,
		t, t);
END;
$$;

DO $$
DECLARE
	t text;
BEGIN
	FOR t IN
		SELECT c.relname FROM pg_class c
		WHERE c.relnamespace = current_schema()::text::regnamespace
		  AND c.relkind IN ('r', 'p') AND NOT c.relispartition
		  AND (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
		       AND NOT a.attisdropped AND a.attname IN ('id', 'mission_id', 'owner_id',
		       'releasability', 'deny', 'shared')) = 6
		ORDER BY c.relname
	LOOP
		PERFORM concord_protect(t);
	END LOOP;
END;
$$;

-- The privileges the API's role needs: reading the tables of this schema (not partitions: a
-- partition read directly would bypass its parent's policies, so the role gets none). The role
-- writes nothing: Concord writes as the owner, with its checks in C. Run by the owner after
-- each `concord migrate`: SELECT concord_grant_api('concord_api').
CREATE FUNCTION concord_grant_api(r text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	t text;
BEGIN
	EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), r);
	FOR t IN
		SELECT c.relname FROM pg_class c
		WHERE c.relnamespace = current_schema()::text::regnamespace
		  AND c.relkind IN ('r', 'p', 'v') AND NOT c.relispartition
		  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
		                  AND d.objid = c.oid AND d.deptype = 'e')
	LOOP
		EXECUTE format('GRANT SELECT ON %I TO %I', t, r);
	END LOOP;
END;
$$;

-- NOTIFY: every statement that appends to the change log wakes the servers' feed pollers
-- (LISTEN concord_feed). It is sent at commit, so a woken poller finds the entries committed;
-- notifications of one transaction with the same (empty) payload are delivered once.
CREATE FUNCTION change_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('concord_feed', '');
	RETURN NULL;
END;
$$;
CREATE TRIGGER change_notify AFTER INSERT ON change
	FOR EACH STATEMENT EXECUTE FUNCTION change_notify();
