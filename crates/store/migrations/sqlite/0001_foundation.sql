-- Foundation: organisations, people, agreements, projects, milestones, attachments (SQLite).
-- Kept column-for-column in step with ../postgres/0001_foundation.sql.

create table organization (
    id integer primary key,
    parent_id integer references organization(id),
    kind text not null,
    name text not null,
    short_name text,
    region_code text,
    credit_code text,
    industry_code text,
    address text,
    phone text,
    description text,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create unique index organization_credit_code on organization(credit_code) where credit_code is not null;
create index organization_parent on organization(parent_id, id);
create index organization_kind on organization(archived, kind, id);
create index organization_region on organization(region_code, id);
create index organization_industry on organization(industry_code, id);
create index organization_name on organization(name);

create table person (
    id integer primary key,
    organization_id integer not null references organization(id),
    name text not null,
    title text,
    phone text,
    email text,
    is_expert boolean not null default false,
    discipline text,
    research_fields text,
    keywords text,
    bio text,
    availability text,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create index person_organization on person(organization_id, id);
create index person_expert on person(archived, is_expert, id);
create index person_name on person(name);

create table agreement (
    id integer primary key,
    parent_id integer references agreement(id),
    title text not null,
    kind text not null,
    signed_on text not null,
    term_end text,
    status text not null,
    summary text,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create index agreement_parent on agreement(parent_id, id);
create index agreement_kind on agreement(archived, kind, id);
create index agreement_signed on agreement(signed_on);

create table agreement_party (
    agreement_id integer not null references agreement(id),
    organization_id integer not null references organization(id),
    primary key (agreement_id, organization_id)
);
create index agreement_party_organization on agreement_party(organization_id, agreement_id);

create table project (
    id integer primary key,
    title text not null,
    kind text not null,
    batch_year integer not null,
    lead_unit_id integer not null references organization(id),
    responsible_person_id integer references person(id),
    origin text not null,
    agreement_id integer references agreement(id),
    origin_note text,
    contract_amount_fen bigint not null default 0,
    funding_won_fen bigint not null default 0,
    status text not null,
    start_on text,
    end_on text,
    summary text,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create index project_batch on project(archived, batch_year, id);
create index project_status on project(archived, status, id);
create index project_kind on project(archived, kind, id);
create index project_lead on project(lead_unit_id, id);
create index project_agreement on project(agreement_id, id);
create index project_person on project(responsible_person_id, id);
create index project_updated on project(updated_at);

create table project_co_unit (
    project_id integer not null references project(id),
    organization_id integer not null references organization(id),
    primary key (project_id, organization_id)
);
create index project_co_unit_organization on project_co_unit(organization_id, project_id);

create table milestone (
    id integer primary key,
    project_id integer not null references project(id),
    title text not null,
    due_on text not null,
    deliverable text,
    done_on text,
    evidence text,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create index milestone_project on milestone(project_id, due_on);
create index milestone_open on milestone(due_on) where done_on is null;

create table attachment (
    id integer primary key,
    record_kind text not null,
    record_id integer not null,
    filename text not null,
    content_type text not null,
    size_bytes bigint not null,
    sha256 text not null,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create index attachment_record on attachment(record_kind, record_id, id);
