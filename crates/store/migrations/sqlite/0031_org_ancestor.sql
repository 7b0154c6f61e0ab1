-- Every organisation's ancestors, itself included (depth 0), kept as the tree changes (issue 19):
-- "the organisations under a coordinator's root" is one index range here instead of a recursive
-- walk of `organization` in every query that restricts to a subtree. PostgreSQL could not plan
-- the walk (it expected 65,000 units for a county's 1,099 and hash-joined the whole tree at each
-- level: 170–600 ms per list at a million projects); here its statistics see the range.
-- Derived from `organization.parent_id`: backups skip it, and a restore rebuilds it.
-- Kept in step with the other backend's 0031.
create table org_ancestor (
    ancestor_id integer not null,
    org_id integer not null,
    depth integer not null,
    primary key (ancestor_id, org_id)
) without rowid;
create index org_ancestor_org on org_ancestor(org_id, ancestor_id);

insert into org_ancestor (ancestor_id, org_id, depth)
with recursive up(ancestor_id, org_id, depth) as (
    select id, id, 0 from organization
    union all
    select o.parent_id, up.org_id, up.depth + 1 from up join organization o on o.id = up.ancestor_id
    where o.parent_id is not null and up.depth < 100
)
select ancestor_id, org_id, depth from up;

-- A new organisation: itself, and its parent's ancestors one step further up.
create trigger org_ancestor_insert after insert on organization
begin
    insert into org_ancestor (ancestor_id, org_id, depth) values (new.id, new.id, 0);
    insert into org_ancestor (ancestor_id, org_id, depth)
    select ancestor_id, new.id, depth + 1 from org_ancestor where org_id = new.parent_id;
end;

-- A move: the subtree under the organisation leaves its old ancestors and joins the new parent's.
-- (`check_parent` refuses a move under itself or below it.)
create trigger org_ancestor_move after update of parent_id on organization
when new.parent_id is not old.parent_id
begin
    delete from org_ancestor
    where org_id in (select org_id from org_ancestor where ancestor_id = new.id)
      and ancestor_id in (select ancestor_id from org_ancestor where org_id = new.id and ancestor_id <> new.id);
    insert into org_ancestor (ancestor_id, org_id, depth)
    select a.ancestor_id, d.org_id, a.depth + d.depth + 1
    from org_ancestor a, org_ancestor d
    where a.org_id = new.parent_id and d.ancestor_id = new.id;
end;

create trigger org_ancestor_delete after delete on organization
begin
    delete from org_ancestor where org_id = old.id;
    delete from org_ancestor where ancestor_id = old.id;
end;
