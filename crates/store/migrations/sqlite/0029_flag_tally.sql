-- The supervision board's counts kept as they change (issue 19): each lead unit's projects by the
-- flag last computed for them (`project_flag.last_flag`), with the unit's division code, so the
-- office's board reads one row per unit — the 50 most red and yellow by its index, the counties by
-- a grouped read of this table — instead of grouping a million stored flags per view.
-- Only a flag refresh changes `last_flag` or the lead unit it was computed under (a writer's
-- trigger empties `flag` alone), so the triggers below run in the refresh's transaction, never in a
-- unit's report: no writer waits on a unit's row here. Kept in step with the other backend's 0029.
-- Derived, like `project_flag`: backups skip it, and it is what `project_flag` says.
create table flag_tally (
    lead_unit_id integer primary key,
    region_code text,
    red integer not null default 0,
    yellow integer not null default 0,
    green integer not null default 0
);
-- The 50 most red, then yellow: the first entries of this index.
create index flag_tally_rank on flag_tally(red desc, yellow desc);
-- The counties: a grouped read of this index alone, in its order (20 ms for 80,000 units on SQLite,
-- against 70 ms sorting the table's rows).
create index flag_tally_region on flag_tally(region_code, red, yellow, green);
insert into flag_tally (lead_unit_id, region_code, red, yellow, green)
select f.lead_unit_id, (select o.region_code from organization o where o.id = f.lead_unit_id),
       sum(f.last_flag = 'red'), sum(f.last_flag = 'yellow'), sum(f.last_flag = 'green')
from project_flag f where f.last_flag is not null and f.lead_unit_id is not null
group by f.lead_unit_id;

create trigger flag_tally_out after update of last_flag, lead_unit_id on project_flag
when old.last_flag is not null and old.lead_unit_id is not null
 and (new.last_flag is not old.last_flag or new.lead_unit_id is not old.lead_unit_id)
begin
    update flag_tally set red = red - (old.last_flag = 'red'), yellow = yellow - (old.last_flag = 'yellow'),
        green = green - (old.last_flag = 'green')
    where lead_unit_id = old.lead_unit_id;
end;
create trigger flag_tally_in after update of last_flag, lead_unit_id on project_flag
when new.last_flag is not null and new.lead_unit_id is not null
 and (new.last_flag is not old.last_flag or new.lead_unit_id is not old.lead_unit_id)
begin
    insert into flag_tally (lead_unit_id, region_code, red, yellow, green)
    values (new.lead_unit_id, (select o.region_code from organization o where o.id = new.lead_unit_id),
            new.last_flag = 'red', new.last_flag = 'yellow', new.last_flag = 'green')
    on conflict (lead_unit_id) do update set red = red + excluded.red,
        yellow = yellow + excluded.yellow, green = green + excluded.green;
end;
create trigger flag_tally_delete after delete on project_flag
when old.last_flag is not null and old.lead_unit_id is not null
begin
    update flag_tally set red = red - (old.last_flag = 'red'), yellow = yellow - (old.last_flag = 'yellow'),
        green = green - (old.last_flag = 'green')
    where lead_unit_id = old.lead_unit_id;
end;
create trigger flag_tally_region after update of region_code on organization
when new.region_code is not old.region_code
begin
    update flag_tally set region_code = new.region_code where lead_unit_id = new.id;
end;
