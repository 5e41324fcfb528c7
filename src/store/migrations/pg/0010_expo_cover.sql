-- PostgreSQL store schema, version 10: what exposure reads of an incident, in covering indexes
-- (as SQLite's 0012), so that the window read can be an index-only scan that never touches the
-- wide rows (actors, notes, digest) of the year partitions. Never edit a migration that has
-- shipped.
--
-- The keys are those of version 2's incident_date and incident_long, which these replace: the
-- events of at most 31 days by first day, the few longer ones (UCDP events dated only to the
-- month or the year) through the partial index by last day, and "the latest incident" through
-- the same two. INCLUDE holds every other column the read (src/store/postgres_events.c,
-- pg_load_incidents), its precision filter and the visibility rule use, in C (cc_visible())
-- and in the row-level security policy of version 9 alike; a column missing here would send
-- every row back to the heap.
--
-- An index-only scan skips the heap only for the pages the visibility map marks all-visible:
-- after a VACUUM (autovacuum does it after a big load, or the loader runs VACUUM ANALYZE).
-- Each partition gets the two indexes, also the partitions made later (ATTACH PARTITION).
CREATE INDEX incident_expo_short ON incident (date, date_end) INCLUDE (lat, lon, fatalities,
	type, area_id, source, geo_prec, id, mission_id, owner_id, releasability, deny, shared);
CREATE INDEX incident_expo_long ON incident (date_end, date) INCLUDE (lat, lon, fatalities,
	type, area_id, source, geo_prec, id, mission_id, owner_id, releasability, deny, shared)
	WHERE date_end - date > 31;
DROP INDEX incident_date;
DROP INDEX incident_long;
