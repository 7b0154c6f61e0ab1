-- Every organisation's ancestors, itself included (depth 0), kept as the tree changes (issue 19):
-- "the organisations under a coordinator's root" is one index range here instead of a recursive
-- walk of `organization` in every query that restricts to a subtree. PostgreSQL could not plan
-- the walk (it expected 65,000 units for a county's 1,099 and hash-joined the whole tree at each
-- level: 170–600 ms per list at a million projects); here its statistics see the range.
-- Derived from `organization.parent_id`: backups skip it, and a restore rebuilds it.
-- Kept in step with the other backend's 0031.
create table org_ancestor (
    ancestor_id bigint not null,
    org_id bigint not null,
    depth integer not null,
    primary key (ancestor_id, org_id)
);
create index org_ancestor_org on org_ancestor(org_id, ancestor_id);

insert into org_ancestor (ancestor_id, org_id, depth)
with recursive up(ancestor_id, org_id, depth) as (
    select id, id, 0 from organization
    union all
    select o.parent_id, up.org_id, up.depth + 1 from up join organization o on o.id = up.ancestor_id
    where o.parent_id is not null and up.depth < 100
)
select ancestor_id, org_id, depth from up;

-- New organisations, once per statement (a loader's 6,000 rows as one query, not 6,000 calls):
-- each with itself and every ancestor, walked up `parent_id`. The ancestors' rows already there are
-- share-locked first, so a move of one of them that is under way finishes before the walk reads
-- the tree (and a move that starts later waits for this insert, then carries its rows along).
create function org_ancestor_insert() returns trigger language plpgsql as $$
begin
    perform 1 from organization
    where id in (select a.ancestor_id from org_ancestor a where a.org_id in (select parent_id from new_rows))
    order by id for share;
    insert into org_ancestor (ancestor_id, org_id, depth)
    with recursive up(ancestor_id, org_id, depth) as (
        select id, id, 0 from new_rows
        union all
        select o.parent_id, up.org_id, up.depth + 1 from up join organization o on o.id = up.ancestor_id
        where o.parent_id is not null and up.depth < 100
    )
    select ancestor_id, org_id, depth from up;
    return null;
end $$;
create trigger org_ancestor_insert after insert on organization
    referencing new table as new_rows
    for each statement execute function org_ancestor_insert();

-- A move: the subtree under the organisation leaves its old ancestors and joins the new parent's.
-- (`check_parent` refuses a move under itself or below it.)
create function org_ancestor_move() returns trigger language plpgsql as $$
begin
    perform 1 from organization
    where id in (select ancestor_id from org_ancestor where org_id = new.parent_id)
    order by id for share;
    delete from org_ancestor
    where org_id in (select org_id from org_ancestor where ancestor_id = new.id)
      and ancestor_id in (select ancestor_id from org_ancestor where org_id = new.id and ancestor_id <> new.id);
    insert into org_ancestor (ancestor_id, org_id, depth)
    select a.ancestor_id, d.org_id, a.depth + d.depth + 1
    from org_ancestor a, org_ancestor d
    where a.org_id = new.parent_id and d.ancestor_id = new.id;
    return null;
end $$;
create trigger org_ancestor_move after update of parent_id on organization
    for each row when (new.parent_id is distinct from old.parent_id)
    execute function org_ancestor_move();

create function org_ancestor_delete() returns trigger language plpgsql as $$
begin
    delete from org_ancestor where org_id = old.id or ancestor_id = old.id;
    return null;
end $$;
create trigger org_ancestor_delete after delete on organization
    for each row execute function org_ancestor_delete();
