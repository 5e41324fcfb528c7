-- Version 15: markings on indicators, observations, survey respondents and feedback.
--
-- The same columns, with the same meaning, as activities, incidents, needs and lessons carry
-- (0008_visibility.sql), so that one predicate (CC__SQ_VISIBLE) reads them all. Everything
-- stored before stays public, as it was read until now. An observation takes its mission from
-- its indicator: when it is stored, and here for the observations already stored.
ALTER TABLE indicator ADD COLUMN releasability TEXT NOT NULL DEFAULT 'public';
ALTER TABLE indicator ADD COLUMN owner_id INTEGER REFERENCES organisation (id);
ALTER TABLE indicator ADD COLUMN deny INTEGER NOT NULL DEFAULT 0;
ALTER TABLE indicator ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;

ALTER TABLE observation ADD COLUMN mission_id INTEGER REFERENCES mission (id);
ALTER TABLE observation ADD COLUMN releasability TEXT NOT NULL DEFAULT 'public';
ALTER TABLE observation ADD COLUMN owner_id INTEGER REFERENCES organisation (id);
ALTER TABLE observation ADD COLUMN deny INTEGER NOT NULL DEFAULT 0;
ALTER TABLE observation ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;
UPDATE observation SET mission_id = (SELECT i.mission_id FROM indicator i
	WHERE i.id = observation.indicator_id);
CREATE TRIGGER observation_mission AFTER INSERT ON observation WHEN NEW.mission_id IS NULL
BEGIN
	UPDATE observation SET mission_id = (SELECT i.mission_id FROM indicator i
		WHERE i.id = NEW.indicator_id) WHERE id = NEW.id;
END;

ALTER TABLE survey_respondent ADD COLUMN releasability TEXT NOT NULL DEFAULT 'public';
ALTER TABLE survey_respondent ADD COLUMN owner_id INTEGER REFERENCES organisation (id);
ALTER TABLE survey_respondent ADD COLUMN deny INTEGER NOT NULL DEFAULT 0;
ALTER TABLE survey_respondent ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;

ALTER TABLE feedback ADD COLUMN releasability TEXT NOT NULL DEFAULT 'public';
ALTER TABLE feedback ADD COLUMN owner_id INTEGER REFERENCES organisation (id);
ALTER TABLE feedback ADD COLUMN deny INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feedback ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;
