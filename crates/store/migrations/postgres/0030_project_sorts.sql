-- The project list sorted by title or by contract amount reads these in its order and stops at its
-- page (issue 19): without them a sort gathered and ordered every project first — 1.7 s for a
-- county coordinator's first page by title among a million on SQLite. The other sorts (record
-- number, year, kind, status, last change) had theirs already. Kept in step with the other
-- backend's 0030.
-- Not led by `archived` (every list tests it): SQLite's planner took such an index for a list in
-- record-number order and sorted a million rows (150 ms) for its first page.
create index project_title on project(title, id);
create index project_amount on project(contract_amount_fen, id);
-- By last change, newest first, with the record number breaking ties: PostgreSQL read the whole
-- table and sorted it (250 ms at a million) while the index had only the time. SQLite's indexes end
-- with the row's key already.
drop index project_updated;
create index project_updated on project(updated_at, id);

-- SQLite's `likely(x)`, which the lists wrap their "not archived" test in for SQLite's planner: here
-- an identity that PostgreSQL inlines, so the test is planned as if unwrapped.
create function likely(boolean) returns boolean language sql immutable parallel safe as 'select $1';
