-- Secondments (挂职) both ways and the secondees' periodic reports (SQLite).
-- Kept in step with ../postgres/0016_secondments.sql.

create table secondment (
    id integer primary key,
    person_id integer not null references person(id),
    -- to_local (高校→地方) or to_university (地方→高校)
    direction text not null,
    from_organization_id integer not null references organization(id),
    to_organization_id integer not null references organization(id),
    post text not null,
    start_on text not null,
    end_on text not null,
    -- planned → serving → ended_early / completed
    status text not null,
    ended_on text,
    -- monthly or quarterly, due on this day of the month after each period
    cadence text not null,
    report_due_day integer not null,
    work_plan text,
    -- the end-of-term appraisal; its evidence is one of the secondment's attachments
    appraisal_grade text,
    appraisal_comment text,
    appraisal_evidence_id integer references attachment(id),
    appraised_on text,
    appraised_by text,
    note text,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create index secondment_start on secondment(archived, start_on, id);
create index secondment_person on secondment(person_id, id);
create index secondment_from on secondment(from_organization_id, id);
create index secondment_to on secondment(to_organization_id, id);
create index secondment_status on secondment(status, id);

-- Every version of every report is kept; the first filing of a period decides whether it was late.
create table secondment_report (
    id integer primary key,
    secondment_id integer not null references secondment(id),
    period text not null,
    version integer not null,
    work_done text not null,
    problems_text text,
    next_steps text,
    filed_by text not null,
    late boolean not null,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create unique index secondment_report_version on secondment_report(secondment_id, period, version);
