-- 检查评价 (RES-4): the inspected enterprise rates a completed inspection
-- once. The rating belongs to the unit that ran the inspection (`unit_id`,
-- copied from the task so the office's list needs no join to find it) and
-- is read by its office and leaders only; inspectors never see it.
CREATE TABLE inspection_ratings (
    id {id},
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    -- The enterprise account that rated.
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    -- 执法人员行为规范 and 对生产经营的干扰程度 (5 = 无干扰), 1–5.
    conduct BIGINT NOT NULL CHECK (conduct BETWEEN 1 AND 5),
    disturbance BIGINT NOT NULL CHECK (disturbance BETWEEN 1 AND 5),
    -- 是否遵守「五个严禁」「八个不得」; what was breached when not.
    discipline_kept BOOLEAN NOT NULL,
    discipline_breach TEXT,
    comment TEXT,
    rated_at {ts} NOT NULL,
    CHECK (discipline_kept OR discipline_breach IS NOT NULL)
);
-- Once per inspection: a second rating is refused by this index even when
-- two arrive at the same moment.
CREATE UNIQUE INDEX inspection_ratings_task ON inspection_ratings (task_id);
CREATE INDEX inspection_ratings_unit ON inspection_ratings (unit_id, rated_at);
