-- PostgreSQL store schema, version 11: list pages of incidents and observations whose plans
-- are kept, and the viewer's settings read without planning SQL each time (docs/postgres.md,
-- "Row-level security"). Nothing is stored differently. Never edit a migration that has
-- shipped.
--
-- A page of the registry (src/store/postgres_registry.c) is one unnamed statement, which the
-- server plans afresh each time (a transaction-mode pooler allows no prepared statements). For
-- incidents that plan covers every year partition, each with the row-level security policy of
-- version 9: planning cost more than reading the page. A PL/pgSQL function keeps the plan of
-- its query for the server connection's life, which a pooler keeps open across transactions;
-- its one generic plan (plan_cache_mode) reads the partitions' primary keys in id order, as
-- the planned statement did. The functions run as their caller (SECURITY INVOKER), so the
-- policies apply to them as to the statement they replace, and they return its columns in its
-- order and types (postgres_registry.c: C_MARK … C_VALS, then the record's values): change
-- one, change the other.
--
-- The id wanted (p_id, 0: every one) bounds the key from both sides instead of being a filter,
-- so that the generic plan finds one record by its key too.

-- $1 mission, $2 id (0: all), $3 after, $4 how many rows, $5 the viewer's organisation (shares)
CREATE FUNCTION concord_page_incident(p_mission bigint, p_id bigint, p_after bigint, p_n bigint,
	p_org bigint)
RETURNS TABLE (r_id bigint, m_id bigint, m_mission bigint, m_owner bigint, m_rel text,
	m_deny bigint, m_shared integer, m2_id bigint, m2_mission bigint, m2_owner bigint,
	m2_rel text, m2_deny bigint, m2_shared integer, m_named boolean, m2_named boolean,
	id bigint, source text, source_id text, date integer, date_end integer, type text,
	sub_type text, actor1 text, actor2 text, lat double precision, lon double precision,
	area text, fatalities double precision, notes text, date_prec integer, geo_prec integer,
	fat_low double precision, fat_high double precision, revised bigint, releasability text,
	owner text, deny bigint, shared boolean)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
	RETURN QUERY SELECT e.id, e.id, e.mission_id, e.owner_id, e.releasability, e.deny,
		e.shared, NULL::bigint, NULL::bigint, NULL::bigint, NULL::text, NULL::bigint,
		NULL::integer, e.shared <> 0 AND EXISTS (SELECT 1 FROM share sh_
			WHERE sh_.tbl = 'incident' AND sh_.record_id = e.id AND sh_.org_id = p_org),
		NULL::boolean, e.id, e.source, e.source_id, e.date, e.date_end, e.type, e.sub_type,
		e.actor1, e.actor2, e.lat, e.lon, (SELECT a_.pcode FROM area a_ WHERE a_.id = e.area_id),
		e.fatalities, e.notes, e.date_prec, e.geo_prec, e.fat_low, e.fat_high, e.revised,
		e.releasability, ow_.key, e.deny, e.shared <> 0
	FROM incident e LEFT JOIN organisation ow_ ON ow_.id = e.owner_id
	WHERE (e.mission_id IS NULL OR e.mission_id = p_mission)
		AND e.id > CASE WHEN p_id <> 0 AND p_id - 1 > p_after THEN p_id - 1 ELSE p_after END
		AND e.id <= CASE WHEN p_id <> 0 THEN p_id ELSE 9223372036854775807 END
	ORDER BY e.id LIMIT p_n;
END;
$$;

-- The same for observations; an observation is seen only with its indicator (m2_*).
CREATE FUNCTION concord_page_observation(p_mission bigint, p_id bigint, p_after bigint,
	p_n bigint, p_org bigint)
RETURNS TABLE (r_id bigint, m_id bigint, m_mission bigint, m_owner bigint, m_rel text,
	m_deny bigint, m_shared integer, m2_id bigint, m2_mission bigint, m2_owner bigint,
	m2_rel text, m2_deny bigint, m2_shared integer, m_named boolean, m2_named boolean,
	id bigint, indicator text, area text, sex text, age_group text, period_start integer,
	period_end integer, value double precision, source text, confidence text,
	releasability text, owner text, deny bigint, shared boolean)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
	RETURN QUERY SELECT o.id, o.id, o.mission_id, o.owner_id, o.releasability, o.deny,
		o.shared, i.id, i.mission_id, i.owner_id, i.releasability, i.deny, i.shared,
		o.shared <> 0 AND EXISTS (SELECT 1 FROM share sh_ WHERE sh_.tbl = 'observation'
			AND sh_.record_id = o.id AND sh_.org_id = p_org),
		i.shared <> 0 AND EXISTS (SELECT 1 FROM share sh_ WHERE sh_.tbl = 'indicator'
			AND sh_.record_id = i.id AND sh_.org_id = p_org),
		o.id, i.code, (SELECT a_.pcode FROM area a_ WHERE a_.id = o.area_id), o.sex,
		o.age_group, o.period_start, o.period_end, o.value, o.source, o.confidence,
		o.releasability, ow_.key, o.deny, o.shared <> 0
	FROM observation o LEFT JOIN indicator i ON i.id = o.indicator_id
		LEFT JOIN organisation ow_ ON ow_.id = o.owner_id
	WHERE o.mission_id = p_mission
		AND o.id > CASE WHEN p_id <> 0 AND p_id - 1 > p_after THEN p_id - 1 ELSE p_after END
		AND o.id <= CASE WHEN p_id <> 0 THEN p_id ELSE 9223372036854775807 END
	ORDER BY o.id LIMIT p_n;
END;
$$;

-- The viewer's parts that the policies of version 9 compute once per statement: as SQL
-- functions with a subquery they could not be inlined, so each statement parsed and planned
-- their bodies again; PL/pgSQL keeps their plans. The same rule, word for word.
CREATE OR REPLACE FUNCTION concord_viewer() RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
	v text := coalesce(current_setting('concord.viewer', true), '');
BEGIN
	IF v IN ('operator', 'org', 'partners', 'public') THEN
		RETURN v;
	ELSIF v = '' AND coalesce(current_setting('concord.org_id', true), '') <> '' THEN
		RETURN 'org';
	END IF;
	RETURN 'public';
END;
$$;

CREATE OR REPLACE FUNCTION concord_viewer_mission() RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE
	m text := nullif(current_setting('concord.mission_id', true), '');
BEGIN
	IF m IS NOT NULL THEN
		RETURN m::bigint;
	END IF;
	RETURN (SELECT o.mission_id FROM organisation o WHERE o.id = concord_viewer_org());
END;
$$;

CREATE OR REPLACE FUNCTION concord_viewer_kinds() RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE
	k text;
BEGIN
	IF concord_viewer() <> 'org' THEN
		RETURN 255;
	END IF;
	k := nullif(current_setting('concord.kinds', true), '');
	IF k IS NOT NULL THEN
		RETURN k::bigint;
	END IF;
	RETURN coalesce((SELECT concord_kind_bit(o.kind) FROM organisation o
	                 WHERE o.id = concord_viewer_org()), 0);
END;
$$;

CREATE OR REPLACE FUNCTION concord_viewer_member() RETURNS boolean LANGUAGE plpgsql STABLE AS $$
DECLARE
	v text := concord_viewer();
	m text;
BEGIN
	IF v = 'partners' THEN
		RETURN true;
	ELSIF v <> 'org' THEN
		RETURN false;
	END IF;
	m := nullif(current_setting('concord.member', true), '');
	IF m IS NOT NULL THEN
		RETURN m::boolean;
	END IF;
	RETURN EXISTS (SELECT 1 FROM mission_member mm WHERE mm.mission_id = concord_viewer_mission()
	               AND mm.org_id = concord_viewer_org());
END;
$$;
