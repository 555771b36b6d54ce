-- When the opportunity left the stage of a history row (NULL while it is still there). Time in stage becomes
-- a plain aggregate over rows (the sales-pipeline report) instead of a window over every opportunity's timeline,
-- which was the slowest part of the report (0.7 s at 200k opportunities). Written together with the next row.
ALTER TABLE opportunity_stage_history ADD COLUMN left_at timestamptz;

UPDATE opportunity_stage_history h
SET left_at = n.next_at
FROM (SELECT id, lead(changed_at) OVER (PARTITION BY opportunity_id ORDER BY changed_at, id) AS next_at
      FROM opportunity_stage_history) n
WHERE n.id = h.id AND n.next_at IS NOT NULL;
