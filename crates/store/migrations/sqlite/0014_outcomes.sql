-- Outcomes: innovation platforms built together (with their hosts, people stationed and yearly
-- evaluations), the outcomes ledger (with the organisations and people each entry counts for), and
-- the day a match was accepted, which the closed loop reads (SQLite).
-- Kept in step with ../postgres/0014_outcomes.sql.

-- 共建平台: a lasting body built together.
create table platform (
    id integer primary key,
    name text not null,
    kind text not null,
    level text not null,
    approved_by text,
    approval_doc text,
    agreement_id integer references agreement(id),
    project_id integer references project(id),
    established_on text,
    status text not null,
    summary text,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create index platform_kind on platform(archived, kind, id);
create index platform_level on platform(archived, level, id);
create index platform_agreement on platform(agreement_id, id);
create index platform_project on platform(project_id, id);

-- Its host organisations, first named first (an enterprise and a college, say).
create table platform_host (
    platform_id integer not null references platform(id),
    organization_id integer not null references organization(id),
    position integer not null,
    primary key (platform_id, organization_id)
);
create index platform_host_organization on platform_host(organization_id, platform_id);

-- People stationed at a platform: their role there and from/to when.
create table platform_person (
    platform_id integer not null references platform(id),
    person_id integer not null references person(id),
    role text,
    from_on text,
    to_on text,
    primary key (platform_id, person_id)
);
create index platform_person_person on platform_person(person_id, platform_id);

-- One evaluation a year: the grade, who gave it, the comment; its file is an attachment of kind
-- platform_evaluation.
create table platform_evaluation (
    id integer primary key,
    platform_id integer not null references platform(id),
    year integer not null,
    grade text not null,
    evaluated_by text,
    evaluated_on text,
    comment text,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create unique index platform_evaluation_year on platform_evaluation(platform_id, year);

-- 成果台账: what the cooperation produced. One row per entry, its kind's own fields nullable;
-- amounts in fen; organization_id is the unit that reported it and whose scope it falls in.
create table outcome (
    id integer primary key,
    kind text not null,
    title text not null,
    occurred_on text not null,
    organization_id integer not null references organization(id),
    amount_fen bigint,
    received_fen bigint,
    quantity integer,
    -- funding: programme and grantor level
    programme text,
    grantor_level text,
    -- contract: kind, registration number, registered in the technology market
    contract_kind text,
    registration_no text,
    market_registered boolean,
    -- patent: CN number and whether granted
    patent_no text,
    patent_status text,
    -- transfer: mode, the enterprise that took it, in the city or not
    transfer_mode text,
    enterprise_id integer references organization(id),
    in_city boolean,
    -- policy advice: who adopted it; award/standard: who gave or issued it
    issuer text,
    -- where it came from
    project_id integer references project(id),
    demand_id integer references demand(id),
    match_id integer references demand_match(id),
    platform_id integer references platform(id),
    agreement_id integer references agreement(id),
    result_id integer references research_result(id),
    report_id integer references progress_report(id),
    -- reported → confirmed by the office (counts in statistics) or returned with a reason
    status text not null,
    reason text,
    confirmed_by text,
    confirmed_on text,
    note text,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create index outcome_kind on outcome(archived, kind, occurred_on);
create index outcome_occurred on outcome(archived, occurred_on, id);
create index outcome_organization on outcome(organization_id, id);
create index outcome_project on outcome(project_id, id);
create index outcome_demand on outcome(demand_id, id);
create index outcome_match on outcome(match_id, id);
create index outcome_platform on outcome(platform_id, id);
create index outcome_agreement on outcome(agreement_id, id);
create index outcome_result on outcome(result_id, id);
create index outcome_enterprise on outcome(enterprise_id, id);

-- The other organisations and the people an entry counts for.
create table outcome_party (
    outcome_id integer not null references outcome(id),
    organization_id integer not null references organization(id),
    primary key (outcome_id, organization_id)
);
create index outcome_party_organization on outcome_party(organization_id, outcome_id);

create table outcome_person (
    outcome_id integer not null references outcome(id),
    person_id integer not null references person(id),
    primary key (outcome_id, person_id)
);
create index outcome_person_person on outcome_person(person_id, outcome_id);

-- The day a match was accepted (the loop's "matched" step); earlier accepted matches take the day
-- they were last changed.
alter table demand_match add column accepted_on text;
update demand_match set accepted_on = substr(updated_at, 1, 10) where status = 'accepted';
create index demand_match_demand_status on demand_match(demand_id, status);
create index demand_project on demand(project_id);
