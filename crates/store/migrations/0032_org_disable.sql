-- Units and departments are disabled (停用), never deleted: their tasks,
-- documents and audit entries keep naming them. A disabled one is offered
-- for no new work (issue 26 item 1).
ALTER TABLE units ADD COLUMN disabled_at {ts};
ALTER TABLE departments ADD COLUMN disabled_at {ts};
