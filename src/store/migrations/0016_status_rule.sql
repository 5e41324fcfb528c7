-- Version 16: the status rule of a mission's progress (DOMAIN.md §2.2: the defaults are
-- configurable per mission).
--
-- One row per mission that changed a threshold with `concord mission set`; a NULL column, or
-- no row at all, keeps the default (on track at a progress/expected ratio of 0.90, at risk at
-- 0.75, stale after 180 days or twice the indicator's reporting period, trend significance
-- 0.05). `concord progress`, GET /api/progress and the report read it unless an option
-- overrides a threshold for one run.
CREATE TABLE mission_status_rule (
	mission_id INTEGER PRIMARY KEY REFERENCES mission (id) ON DELETE CASCADE,
	on_track REAL CHECK (on_track > 0 AND on_track <= 1),
	at_risk REAL CHECK (at_risk > 0 AND at_risk <= 1),
	max_age_days INTEGER CHECK (max_age_days BETWEEN 1 AND 36600),
	alpha REAL CHECK (alpha > 0 AND alpha <= 1)
);
