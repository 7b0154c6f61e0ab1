-- Coordination bodies (领导小组, 协调委员会 and its office, 专门工作小组, a partnership's team) and
-- their members with post and term (SQLite). Kept in step with ../postgres/0015_groups.sql.
-- The table is `coordination_group`: `group` is an SQL keyword.

create table coordination_group (
    id integer primary key,
    name text not null,
    kind text not null,
    parent_id integer references coordination_group(id),
    agreement_id integer references agreement(id),
    remit text,
    established_on text,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create index coordination_group_kind on coordination_group(archived, kind, id);
create index coordination_group_parent on coordination_group(parent_id, id);
create index coordination_group_agreement on coordination_group(agreement_id, id);

-- A member: a person, their post in the group (组长, 副组长, 成员, 联络员 …), the organisation they
-- sit for, and the term (to_on set when they left).
create table group_member (
    id integer primary key,
    group_id integer not null references coordination_group(id),
    person_id integer not null references person(id),
    organization_id integer references organization(id),
    post text not null,
    from_on text,
    to_on text,
    position integer not null default 0
);
create index group_member_group on group_member(group_id, position, id);
create index group_member_person on group_member(person_id, group_id);
