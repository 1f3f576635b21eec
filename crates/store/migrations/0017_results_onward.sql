-- Results flow onward (RESULT-1, RESULT-3, RES-1, DOC-1).
--
-- 1. One item list: a result ticks rows of the department's own
--    行政检查事项清单 of the year (plan_items), not the per-business-line
--    lists of migration 0006. Those stay as templates a department can start
--    its list from (一键使用模板); they get readable codes, 检查对象 and
--    检查依据 so a list made from them is complete.
-- 2. Corrections: a result is corrected by a new linked row with a reason;
--    a result is corrected at most once (a chain, never a fork).
-- 3. Rectification (整改) tasks raised by problems found, their steps and the
--    enterprise's report-back files; referrals for a penalty case (移送立案).

-- Template codes as people read them (the internal slugs never reach a screen).
UPDATE supervision_items SET code = 'DQ-0' || CAST(position AS TEXT) WHERE business_line = 'air';
UPDATE supervision_items SET code = 'SH-0' || CAST(position AS TEXT) WHERE business_line = 'water';
UPDATE supervision_items SET code = 'TR-0' || CAST(position AS TEXT) WHERE business_line = 'soil';
UPDATE supervision_items SET code = 'GF-0' || CAST(position AS TEXT) WHERE business_line = 'solid_waste';
UPDATE supervision_items SET code = 'FS-0' || CAST(position AS TEXT) WHERE business_line = 'radiation';
UPDATE supervision_items SET code = 'ZF-0' || CAST(position AS TEXT) WHERE business_line = 'enforcement';
UPDATE supervision_items SET code = 'JC-0' || CAST(position AS TEXT) WHERE business_line = 'monitoring';
UPDATE supervision_items SET code = 'ST-0' || CAST(position AS TEXT) WHERE business_line = 'ecology';
UPDATE supervision_items SET code = 'HP-0' || CAST(position AS TEXT) WHERE business_line = 'assessment';
UPDATE supervision_items SET code = 'ZH-0' || CAST(position AS TEXT) WHERE business_line = 'general';
UPDATE supervision_items SET code = 'XT-0' || CAST(position AS TEXT) WHERE business_line = 'partner';

ALTER TABLE supervision_items ADD COLUMN objects TEXT NOT NULL DEFAULT '';
ALTER TABLE supervision_items ADD COLUMN basis TEXT NOT NULL DEFAULT '';
UPDATE supervision_items SET objects = '排放大气污染物的企业事业单位和其他生产经营者',
    basis = '《中华人民共和国大气污染防治法》第二十九条；《中华人民共和国环境保护法》第二十四条'
  WHERE business_line = 'air';
UPDATE supervision_items SET objects = '排放水污染物的企业事业单位和其他生产经营者',
    basis = '《中华人民共和国水污染防治法》第三十条；《中华人民共和国环境保护法》第二十四条'
  WHERE business_line = 'water';
UPDATE supervision_items SET objects = '土壤污染重点监管单位及相关建设用地、农用地使用人',
    basis = '《中华人民共和国土壤污染防治法》第七条、第二十一条'
  WHERE business_line = 'soil';
UPDATE supervision_items SET objects = '产生、收集、贮存、运输、利用、处置固体废物的单位',
    basis = '《中华人民共和国固体废物污染环境防治法》第二十六条'
  WHERE business_line = 'solid_waste';
UPDATE supervision_items SET objects = '生产、销售、使用放射性同位素和射线装置的单位',
    basis = '《中华人民共和国放射性污染防治法》第八条；《放射性同位素与射线装置安全和防护条例》第四十六条'
  WHERE business_line = 'radiation';
UPDATE supervision_items SET objects = '排污单位及建设单位',
    basis = '《中华人民共和国环境保护法》第二十四条；《排污许可管理条例》第二十六条'
  WHERE business_line = 'enforcement';
UPDATE supervision_items SET objects = '排污单位及社会化环境监测机构',
    basis = '《中华人民共和国环境保护法》第二十四条、第四十二条；《排污许可管理条例》第十九条'
  WHERE business_line = 'monitoring';
UPDATE supervision_items SET objects = '自然保护地及生态保护红线内的开发建设单位',
    basis = '《中华人民共和国环境保护法》第二十九条；《自然保护区条例》第二十六条'
  WHERE business_line = 'ecology';
UPDATE supervision_items SET objects = '建设单位及环境影响评价文件编制单位',
    basis = '《中华人民共和国环境影响评价法》第二十四条、第二十七条；《建设项目环境保护管理条例》第十九条'
  WHERE business_line = 'assessment';
UPDATE supervision_items SET objects = '辖区内企业事业单位和其他生产经营者',
    basis = '《中华人民共和国环境保护法》第二十四条'
  WHERE business_line = 'general';
UPDATE supervision_items SET objects = '辖区内生产经营单位',
    basis = '《中华人民共和国安全生产法》第六十五条；《中华人民共和国产品质量法》第十五条'
  WHERE business_line = 'partner';

-- 整改期限 a rectification of this item gets by default (days after the
-- result); NULL: the platform's default.
ALTER TABLE plan_items ADD COLUMN rectify_days BIGINT;

-- Existing results ticked template items: give each department the items it
-- used in its list of that year (unless a live row of the same code or name
-- is there), then point the results at those rows.
INSERT INTO plan_items (department_id, year, code, name, content, objects, basis, position,
                        created_at, updated_at)
SELECT r.department_id, t.year, s.code, s.name, s.name, s.objects, s.basis, 1000 + s.position,
       MIN(r.submitted_at), MIN(r.submitted_at)
  FROM result_items ri
  JOIN task_results r ON r.id = ri.result_id
  JOIN tasks t ON t.id = r.task_id
  JOIN supervision_items s ON s.id = ri.item_id
 WHERE NOT EXISTS (
        SELECT 1 FROM plan_items p
         WHERE p.department_id = r.department_id AND p.year = t.year AND p.removed_at IS NULL
           AND (p.code = s.code OR p.name = s.name))
 GROUP BY r.department_id, t.year, s.code, s.name, s.objects, s.basis, s.position;

-- A ticked item names its list row and keeps the code and name it had when
-- ticked (a result never changes, even when the list is edited later).
CREATE TABLE result_items_v2 (
    result_id BIGINT NOT NULL REFERENCES task_results(id),
    position BIGINT NOT NULL,
    item_id BIGINT REFERENCES plan_items(id),
    item_code TEXT,
    item_name TEXT,
    other_text TEXT,
    has_problem BOOLEAN NOT NULL,
    problem_description TEXT,
    PRIMARY KEY (result_id, position),
    CHECK ((item_id IS NULL) <> (other_text IS NULL)),
    CHECK ((item_id IS NULL) = (item_name IS NULL)),
    CHECK (NOT has_problem OR problem_description IS NOT NULL)
);
INSERT INTO result_items_v2 (result_id, position, item_id, item_code, item_name, other_text,
                             has_problem, problem_description)
SELECT ri.result_id, ri.position, p.id, p.code, p.name, ri.other_text, ri.has_problem,
       ri.problem_description
  FROM result_items ri
  JOIN task_results r ON r.id = ri.result_id
  JOIN tasks t ON t.id = r.task_id
  LEFT JOIN supervision_items s ON s.id = ri.item_id
  LEFT JOIN plan_items p ON p.id = (
        SELECT MIN(p2.id) FROM plan_items p2
         WHERE p2.department_id = r.department_id AND p2.year = t.year
           AND p2.removed_at IS NULL AND (p2.code = s.code OR p2.name = s.name));
DROP TABLE result_items;
ALTER TABLE result_items_v2 RENAME TO result_items;
CREATE INDEX result_items_item ON result_items (item_id);

-- RESULT-3: why a result was corrected; one correction per result.
ALTER TABLE task_results ADD COLUMN correction_reason TEXT;
CREATE UNIQUE INDEX task_results_corrects ON task_results (corrects_id) WHERE corrects_id IS NOT NULL;

-- 整改任务单 (RES-1): one per problem found (a ticked item answered 是).
-- `status`: draft (待下发) → issued (整改中) → reported (待核查) → closed
-- (已销号), or back to returned (退回整改); referred (移送立案) instead of
-- rectification; withdrawn (已撤销) when a correction removed the problem.
CREATE TABLE rectifications (
    id {id},
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    -- The result and item that raised it (the latest correction's, once corrected).
    result_id BIGINT NOT NULL REFERENCES task_results(id),
    item_position BIGINT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    item_id BIGINT REFERENCES plan_items(id),
    item_name TEXT NOT NULL,
    problem TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    requirement TEXT NOT NULL,
    deadline {date} NOT NULL,
    status TEXT NOT NULL,
    issued_at {ts},
    closed_at {ts},
    -- 整改复查: the uncapped revisit task, when the department verifies on site.
    revisit_task_id BIGINT REFERENCES tasks(id),
    -- 移送立案: referred → filed (已立案) or declined (不予立案).
    referral_status TEXT,
    case_number TEXT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX rectifications_task ON rectifications (task_id);
CREATE INDEX rectifications_result ON rectifications (result_id, item_position);
CREATE INDEX rectifications_enterprise ON rectifications (enterprise_id, status);
CREATE INDEX rectifications_department ON rectifications (department_id, status, deadline);
CREATE INDEX rectifications_unit ON rectifications (unit_id, status, deadline);

-- Every step of a rectification, in order: who, when, what they said.
CREATE TABLE rectification_steps (
    id {id},
    rectification_id BIGINT NOT NULL REFERENCES rectifications(id),
    kind TEXT NOT NULL,
    note TEXT NOT NULL,
    by_name TEXT NOT NULL,
    -- The enterprise's steps have no person.
    by_person_id BIGINT REFERENCES people(id),
    at {ts} NOT NULL
);
CREATE INDEX rectification_steps_of ON rectification_steps (rectification_id, id);

-- Photos of a report-back, stored like evidence (by SHA-256, outside the database).
CREATE TABLE rectification_files (
    id {id},
    rectification_id BIGINT NOT NULL REFERENCES rectifications(id),
    step_id BIGINT NOT NULL REFERENCES rectification_steps(id),
    sha256 TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    stored_path TEXT NOT NULL,
    uploaded_at {ts} NOT NULL
);
CREATE INDEX rectification_files_of ON rectification_files (rectification_id, step_id);
