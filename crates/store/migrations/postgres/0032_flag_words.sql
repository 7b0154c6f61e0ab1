-- A stored flag's reasons, in both languages (JSON: `[{"zh": …, "en": …}]`), written by the refresh
-- with the flag (issue 19): a project being carried out is then shown from its stored flag, in the
-- same statement that reads it, where computing the flag took three more trips to the database
-- (its milestones, its batch, its reports) on every view. Good only while `flag` is (the triggers
-- of 0022 empty `flag` and `computed_on` on any write that could change it; this is left and
-- overwritten by the next refresh). Kept in step with the other backend's 0032.
alter table project_flag add column words text;
