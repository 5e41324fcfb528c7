-- Version 12: what exposure reads of an incident, in covering indexes, so that reading the
-- incidents of a window never touches the wide rows (actors, notes, digest) and is one
-- sequential range of an index. SQLite keeps the indexes in step with the table in the same
-- transaction as every write (imports, markings), so they can never disagree with it.
--
-- An incident meets the days from … to when date <= to and date_end >= from. Events of at
-- most 31 days are read by first day (date between from - 31 and to) through the first index;
-- the few longer ones (UCDP events dated only to the month or year) through the second,
-- partial index by last day. Each holds every column the read and the visibility rule use.
CREATE INDEX incident_expo_short ON incident (date, date_end, lat, lon, geo_prec, source,
	fatalities, type, area_id, mission_id, owner_id, releasability, deny, shared);
CREATE INDEX incident_expo_long ON incident (date_end, date, lat, lon, geo_prec, source,
	fatalities, type, area_id, mission_id, owner_id, releasability, deny, shared)
	WHERE date_end - date > 31;
