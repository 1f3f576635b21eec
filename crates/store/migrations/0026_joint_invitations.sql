-- JOINT-2: a unit's 办公室 (departments of business line 综合) inspects
-- nothing and is not invited to its joint inspections, unless the unit
-- chooses to invite it.
ALTER TABLE units ADD COLUMN joint_invites_general BOOLEAN NOT NULL DEFAULT FALSE;
