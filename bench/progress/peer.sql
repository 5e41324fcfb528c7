-- bench/progress/peer.sql: progress and status of every indicator × area series in plain SQL
-- with window functions (no trend): the latest value, progress from baseline to target, the
-- progress expected at the latest value's date on the straight line, their ratio and the
-- status with Concord's default thresholds (on_track ≥ 0.90, at_risk ≥ 0.75, stale when the
-- latest value is older than 2 × the reporting period before :at). One row per series.
WITH last AS (
	SELECT indicator_id, ifnull(area_id, 0) AS area_id, period_end, value,
	       row_number() OVER (PARTITION BY indicator_id, ifnull(area_id, 0), ifnull(sex, ''),
	                          ifnull(age_group, '') ORDER BY period_end DESC) AS rn
	FROM observation WHERE value IS NOT NULL),
bm AS (
	SELECT indicator_id, ifnull(area_id, 0) AS area_id,
	       max(CASE kind WHEN 'baseline' THEN value END) AS bv,
	       max(CASE kind WHEN 'baseline' THEN date END) AS bd,
	       max(CASE kind WHEN 'target' THEN value END) AS tv,
	       max(CASE kind WHEN 'target' THEN date END) AS td
	FROM benchmark GROUP BY indicator_id, ifnull(area_id, 0)),
pr AS (
	SELECT i.code, l.area_id, l.period_end, l.value, i.period_days,
	       (l.value - bm.bv) / (bm.tv - bm.bv) AS progress,
	       min(1.0, max(0.0, (l.period_end - bm.bd) * 1.0 / (bm.td - bm.bd))) AS expected
	FROM last l JOIN bm USING (indicator_id, area_id) JOIN indicator i ON i.id = l.indicator_id
	WHERE l.rn = 1)
SELECT code, area_id, period_end, value, progress, expected,
       progress / expected AS ratio,
       CASE WHEN (SELECT at FROM atp) - period_end > 2 * period_days THEN 'stale'
            WHEN expected = 0 THEN CASE WHEN progress >= 0 THEN 'on_track' ELSE 'off_track' END
            WHEN progress / expected >= 0.90 THEN 'on_track'
            WHEN progress / expected >= 0.75 THEN 'at_risk'
            ELSE 'off_track' END AS status
FROM pr;
