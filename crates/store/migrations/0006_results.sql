-- Recording the inspection (RESULT-1…RESULT-5): each participating
-- department's result from its list of supervision items, with evidence
-- photos stored outside the database by their SHA-256.

-- 监管事项 (DOC-1) per business line. 其他 is not a row: a result item names
-- it with free text instead of an item.
CREATE TABLE supervision_items (
    id {id},
    business_line TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    position BIGINT NOT NULL,
    UNIQUE (business_line, code)
);

-- One result per participating department and task. Never updated: a
-- correction is a new row linked by `corrects_id` (the unique index covers
-- the originals only). `client_id` is made by the phone when the draft starts,
-- so a retried submission finds its row; `body_hash` tells a retry of the
-- same body from a different one under the same id.
CREATE TABLE task_results (
    id {id},
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    client_id TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    enterprise_situation TEXT NOT NULL,
    onsite_findings TEXT NOT NULL,
    submitted_by BIGINT NOT NULL REFERENCES people(id),
    submitted_by_name TEXT NOT NULL,
    submitted_at {ts} NOT NULL,
    -- The visit day the submission was due on (RESULT-4), and whether it came later.
    due_on {date} NOT NULL,
    late BOOLEAN NOT NULL,
    corrects_id BIGINT REFERENCES task_results(id)
);
CREATE UNIQUE INDEX task_results_client ON task_results (client_id);
CREATE UNIQUE INDEX task_results_original ON task_results (task_id, department_id) WHERE corrects_id IS NULL;

-- The ticked items of a result: a supervision item, or 其他 with its text.
CREATE TABLE result_items (
    result_id BIGINT NOT NULL REFERENCES task_results(id),
    position BIGINT NOT NULL,
    item_id BIGINT REFERENCES supervision_items(id),
    other_text TEXT,
    has_problem BOOLEAN NOT NULL,
    problem_description TEXT,
    PRIMARY KEY (result_id, position),
    CHECK ((item_id IS NULL) <> (other_text IS NULL)),
    CHECK (NOT has_problem OR problem_description IS NOT NULL)
);

-- 影像资料: uploaded as they are taken, attached to the result on submission.
-- The file lives in the evidence folder under `stored_path` (named by its
-- SHA-256); `client_id` makes a retried upload return the first row.
CREATE TABLE evidence (
    id {id},
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    result_id BIGINT REFERENCES task_results(id),
    client_id TEXT,
    sha256 TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    stored_path TEXT NOT NULL,
    uploaded_by BIGINT NOT NULL REFERENCES people(id),
    uploaded_by_name TEXT NOT NULL,
    uploaded_at {ts} NOT NULL
);
CREATE UNIQUE INDEX evidence_client ON evidence (task_id, department_id, client_id);
CREATE INDEX evidence_task ON evidence (task_id, department_id);
CREATE INDEX evidence_result ON evidence (result_id);

-- The demo's item lists: the manual's 大气 items (manual 4.3) and lists of the
-- same kind for the other business lines.
INSERT INTO supervision_items (business_line, code, name, position) VALUES
('air', 'air-01', '对排放大气污染物的企业事业单位和其他生产经营者进行监督检查', 1),
('air', 'air-02', '对消耗臭氧层物质的生产、销售、使用和进出口等活动进行监督检查', 2),
('air', 'air-03', '扬尘污染防治督导帮扶', 3),
('air', 'air-04', '臭氧污染防治督导帮扶', 4),
('air', 'air-05', '重污染天气应急响应督导帮扶', 5),
('air', 'air-06', '对排放噪声的单位或者场所进行监督检查', 6),
('water', 'water-01', '对排放水污染物的企业事业单位和其他生产经营者进行监督检查', 1),
('water', 'water-02', '对入河排污口设置和使用情况进行监督检查', 2),
('water', 'water-03', '对饮用水水源保护区内活动进行监督检查', 3),
('water', 'water-04', '对污水集中处理设施运行情况进行监督检查', 4),
('water', 'water-05', '对畜禽规模养殖污染防治进行监督检查', 5),
('soil', 'soil-01', '对土壤污染重点监管单位土壤污染防治义务履行情况进行监督检查', 1),
('soil', 'soil-02', '对建设用地土壤污染风险管控和修复活动进行监督检查', 2),
('soil', 'soil-03', '对地下水污染防治情况进行监督检查', 3),
('soil', 'soil-04', '对农用地土壤污染防治进行督导帮扶', 4),
('solid_waste', 'waste-01', '对产生、收集、贮存、运输、利用、处置固体废物的单位进行监督检查', 1),
('solid_waste', 'waste-02', '对危险废物规范化环境管理情况进行监督检查', 2),
('solid_waste', 'waste-03', '对医疗废物收集、贮存、处置活动进行监督检查', 3),
('solid_waste', 'waste-04', '对新污染物及化学品环境管理情况进行监督检查', 4),
('radiation', 'rad-01', '对生产、销售、使用放射性同位素和射线装置的单位进行监督检查', 1),
('radiation', 'rad-02', '对放射性废物和废旧放射源收贮情况进行监督检查', 2),
('radiation', 'rad-03', '对电磁辐射建设项目和设施进行监督检查', 3),
('enforcement', 'enf-01', '对排污单位遵守排污许可制度情况进行监督检查', 1),
('enforcement', 'enf-02', '对建设项目环境影响评价和“三同时”制度执行情况进行监督检查', 2),
('enforcement', 'enf-03', '对污染防治设施运行和自动监测设备运行情况进行监督检查', 3),
('enforcement', 'enf-04', '对突发环境事件应急预案和环境风险防控措施落实情况进行监督检查', 4),
('monitoring', 'mon-01', '对排污单位自行监测开展情况进行监督检查', 1),
('monitoring', 'mon-02', '对自动监测数据质量和设备运维情况进行监督检查', 2),
('monitoring', 'mon-03', '对社会化环境监测机构监测活动进行监督检查', 3),
('ecology', 'eco-01', '对自然保护地内开发建设活动进行监督检查', 1),
('ecology', 'eco-02', '对生态保护红线内人类活动进行监督检查', 2),
('assessment', 'eia-01', '对建设项目环境影响评价文件编制和审批执行情况进行监督检查', 1),
('assessment', 'eia-02', '对建设项目竣工环境保护验收情况进行监督检查', 2),
('general', 'gen-01', '对生态环境保护法律法规执行情况进行综合检查', 1),
('partner', 'partner-01', '对企业落实安全生产和市场监管有关要求情况进行检查', 1),
('partner', 'partner-02', '对企业生产经营许可和产品质量情况进行检查', 2);
