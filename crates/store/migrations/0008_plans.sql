-- Supervision item lists and annual inspection plans (DOC-1): per department
-- and year, the public 行政检查事项清单 and the 行政检查计划 (抽查计划).
-- Rows are never deleted: a removed row keeps its id and its history, marked
-- `removed_at`, and is left out of every list (ids are never reused, so the
-- audit trail's entity ids stay unambiguous).

-- 行政检查事项清单: 编码, 检查事项, 检查内容, 检查对象, 检查依据.
CREATE TABLE plan_items (
    id {id},
    department_id BIGINT NOT NULL REFERENCES departments(id),
    year BIGINT NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    content TEXT NOT NULL,
    objects TEXT NOT NULL,
    -- 检查依据: the legal basis, from which documents fill their 法律依据.
    basis TEXT NOT NULL,
    position BIGINT NOT NULL,
    -- The previous year's row this one was copied from (复制上一年度).
    copied_from_id BIGINT REFERENCES plan_items(id),
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    removed_at {ts}
);
-- One live row per code in a department's list of a year.
CREATE UNIQUE INDEX plan_items_code ON plan_items (department_id, year, code) WHERE removed_at IS NULL;
CREATE INDEX plan_items_department_year ON plan_items (department_id, year, position);

-- 抽查计划: 抽查事项 (an item of the same department and year), 检查内容,
-- 检查对象, 抽查比例, 抽查频次, 抽取对象数量, 实施时间.
CREATE TABLE plan_rows (
    id {id},
    department_id BIGINT NOT NULL REFERENCES departments(id),
    year BIGINT NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    item_id BIGINT NOT NULL REFERENCES plan_items(id),
    content TEXT NOT NULL,
    objects TEXT NOT NULL,
    ratio TEXT NOT NULL,
    frequency TEXT NOT NULL,
    target_count BIGINT NOT NULL CHECK (target_count >= 1),
    period TEXT NOT NULL,
    position BIGINT NOT NULL,
    copied_from_id BIGINT REFERENCES plan_rows(id),
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    removed_at {ts}
);
CREATE INDEX plan_rows_department_year ON plan_rows (department_id, year, position);
CREATE INDEX plan_rows_item ON plan_rows (item_id) WHERE removed_at IS NULL;

-- Progress against the plan counts a department's tasks of a year.
CREATE INDEX tasks_department_year ON tasks (department_id, year, status);
