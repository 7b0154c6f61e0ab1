-- A match keeps the note the office wrote when confirming it, beside the automatic reasons (SQLite).
-- Kept in step with ../postgres/0013_match_note.sql.

alter table demand_match add column note text;
