-- Supervision: batches (年度合作项目清单), progress reports (进度填报, every version kept) and
-- problems for coordination (SQLite). Kept in step with ../postgres/0003_supervision.sql.

create table batch (
    id integer primary key,
    year integer not null,
    title text not null,
    cadence text not null,
    report_due_day integer not null,
    status text not null,
    approved_at text,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create index batch_year on batch(year, id);

alter table project add column batch_id integer references batch(id);
create index project_batch_id on project(batch_id, id);

create table progress_report (
    id integer primary key,
    project_id integer not null references project(id),
    period text not null,
    organization_id integer not null references organization(id),
    version integer not null,
    done_text text not null,
    percent integer not null,
    milestone_ids text not null,
    problems_text text,
    next_steps text,
    filed_by text not null,
    late boolean not null,
    accepted_at text,
    accepted_by text,
    created_at text not null,
    updated_at text not null
);
create unique index progress_report_version on progress_report(project_id, period, organization_id, version);

create table problem (
    id integer primary key,
    project_id integer not null references project(id),
    title text not null,
    description text,
    owner_id integer not null references organization(id),
    due_on text,
    status text not null,
    decision text,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create index problem_owner on problem(owner_id, status, id);
create index problem_project on problem(project_id, id);
