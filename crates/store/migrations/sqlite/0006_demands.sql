-- Solicitation campaigns, demands with their staged reviews, research results, experts' papers
-- and patents, and the change feed the search index follows (SQLite).
-- Kept in step with ../postgres/0006_demands.sql.

create table campaign (
    id integer primary key,
    title text not null,
    organizer_id integer not null references organization(id),
    starts_on text not null,
    ends_on text not null,
    target_regions text not null default '',
    target_industries text not null default '',
    quota_per_county integer,
    description text,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);

create table demand (
    id integer primary key,
    title text not null,
    summary text not null,
    details text,
    enterprise_id integer not null references organization(id),
    campaign_id integer references campaign(id),
    industry text,
    field text,
    budget_min bigint,
    budget_max bigint,
    mode text not null,
    deadline text,
    source text not null,
    collected_by text,
    collected_on text,
    green_channel boolean not null default false,
    status text not null,
    reason text,
    merged_into_id integer references demand(id),
    project_id integer references project(id),
    submitted_on text,
    screened_on text,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create index demand_enterprise on demand(enterprise_id, id);
create index demand_campaign on demand(campaign_id, id);
create index demand_status on demand(status, id);

create table demand_review (
    id integer primary key,
    demand_id integer not null references demand(id),
    stage text not null,
    decision text not null,
    comment text,
    reviewer text not null,
    created_at text not null
);
create index demand_review_demand on demand_review(demand_id, id);

create table research_result (
    id integer primary key,
    title text not null,
    kind text not null,
    summary text,
    keywords text not null default '',
    discipline text,
    maturity text not null,
    ip_number text,
    transfer_mode text not null,
    price bigint,
    status text not null,
    transferee_id integer references organization(id),
    transferred_on text,
    transfer_amount bigint,
    transferred_locally boolean,
    year integer,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);

create table research_result_owner (
    result_id integer not null references research_result(id),
    person_id integer not null references person(id),
    position integer not null,
    primary key (result_id, person_id)
);
create index research_result_owner_person on research_result_owner(person_id);

create table expert_work (
    id integer primary key,
    person_id integer not null references person(id),
    kind text not null,
    title text not null,
    summary text,
    keywords text not null default '',
    year integer,
    venue text,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create index expert_work_person on expert_work(person_id, id);

-- One row per committed change of a record, written in the change's own transaction; the search
-- index follows it by sequence number.
create table change_feed (
    seq integer primary key autoincrement,
    record_kind text not null,
    record_id integer not null,
    created_at text not null
);
