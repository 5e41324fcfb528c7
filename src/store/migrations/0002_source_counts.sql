-- Version 2: each source records how many rows its last import read and rejected, so the
-- report's provenance section and `concord` summaries can say what a source holds and what
-- it lost. NULL for sources imported before this version.
ALTER TABLE source ADD COLUMN n_read INTEGER;
ALTER TABLE source ADD COLUMN n_rejected INTEGER;
