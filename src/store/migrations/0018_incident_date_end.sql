-- Version 18: the index incident_date_end (date_end, date) of version 3 is dropped.
--
-- Since version 12 every read of incidents by window goes through the covering indexes
-- incident_expo_short and incident_expo_long, and the latest incident's last day (the default
-- reference date of exposure) is found through them as well (src/store/sqlite_events.c), so
-- no query uses it any more (checked with EXPLAIN QUERY PLAN on every statement that reads
-- incident). It was still kept in step on every write and rebuilt after every bulk load of
-- events: 2,000,000 keys sorted, about a sixth of the rebuild.
DROP INDEX IF EXISTS incident_date_end;
