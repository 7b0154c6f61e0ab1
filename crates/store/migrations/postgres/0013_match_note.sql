-- A match keeps the note the office wrote when confirming it, beside the automatic reasons (PostgreSQL).
-- Kept in step with ../sqlite/0013_match_note.sql.

alter table demand_match add column note text;
