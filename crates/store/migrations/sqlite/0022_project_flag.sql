-- Each project's flag as it stood on `computed_on`: what the statistics, the dashboard and the
-- project list's flag filter count instead of computing a million flags per view. A cache, never
-- the truth: it is good only on the day it was computed and only while `gen` is what it was then.
-- Every write that could change a flag (the project's status, batch, start or lead unit; a
-- milestone; a progress report; the batch's cadence or approval) bumps `gen` and empties the row
-- here, in the writer's own transaction, by the triggers below — so no write path can forget it.
-- A refresh reads (id, gen), computes, and stores only where `gen` is still the one it read: a write
-- that lands in between leaves the row stale for the next refresh, never wrong. Backups skip it.
create table project_flag (
    project_id integer primary key references project(id),
    gen integer not null default 0,
    flag text,
    -- The project's year, lead unit and kind when its flag was computed (a change empties the
    -- flag): the statistics count the office's flags from this table and its index alone.
    batch_year integer,
    lead_unit_id integer,
    kind text,
    computed_on text
);
create index project_flag_counts on project_flag(flag, batch_year, lead_unit_id, kind);
-- The refresh finds what is stale by the day: emptied (null), or another day than today.
create index project_flag_day on project_flag(computed_on);
insert into project_flag (project_id) select id from project;

create trigger project_flag_project_insert after insert on project begin
    insert into project_flag (project_id) values (new.id)
    on conflict (project_id) do update set gen = gen + 1, flag = null, computed_on = null;
end;
create trigger project_flag_project_update
after update of status, batch_id, batch_year, kind, start_on, lead_unit_id, archived on project begin
    update project_flag set gen = gen + 1, flag = null, computed_on = null where project_id = new.id;
end;
create trigger project_flag_milestone_insert after insert on milestone begin
    update project_flag set gen = gen + 1, flag = null, computed_on = null where project_id = new.project_id;
end;
create trigger project_flag_milestone_update after update on milestone begin
    update project_flag set gen = gen + 1, flag = null, computed_on = null
    where project_id in (old.project_id, new.project_id);
end;
create trigger project_flag_report_insert after insert on progress_report begin
    update project_flag set gen = gen + 1, flag = null, computed_on = null where project_id = new.project_id;
end;
create trigger project_flag_report_update after update on progress_report begin
    update project_flag set gen = gen + 1, flag = null, computed_on = null
    where project_id in (old.project_id, new.project_id);
end;
create trigger project_flag_batch_update after update on batch begin
    update project_flag set gen = gen + 1, flag = null, computed_on = null
    where project_id in (select id from project where batch_id = new.id);
end;

-- The statistics' grouped count over a million projects reads this index alone, never the table:
-- every column it groups by or sums, in the order it groups (year, unit, status).
create index project_stats on project(archived, batch_year, lead_unit_id, status, kind, contract_amount_fen, funding_won_fen);
