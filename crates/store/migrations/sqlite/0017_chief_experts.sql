-- Chief experts (首席专家): an expert appointed for a term to a place (a county or town: an
-- organisation of the government kind) or an industry chain, for agriculture or industry; and
-- their service log (SQLite). Kept in step with ../postgres/0017_chief_experts.sql.
-- The status (appointed, serving, ended) follows from the term and today: it is not stored.

create table chief_expert (
    id integer primary key,
    person_id integer not null references person(id),
    field text not null,
    organization_id integer references organization(id),
    chain text,
    document_no text not null,
    appointed_by text not null,
    from_on text not null,
    to_on text not null,
    duties text,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create index chief_expert_field on chief_expert(archived, field, id);
create index chief_expert_person on chief_expert(person_id, id);
create index chief_expert_organization on chief_expert(organization_id, id);
create index chief_expert_term on chief_expert(from_on, to_on);

-- What a chief expert did: visits, trainings given, problems solved, demands taken, other; the
-- files are attachments of kind service_log.
create table service_log (
    id integer primary key,
    chief_expert_id integer not null references chief_expert(id),
    kind text not null,
    served_on text not null,
    title text not null,
    place text,
    hours integer,
    people_served integer,
    details text,
    demand_id integer references demand(id),
    problem_id integer references problem(id),
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create index service_log_chief on service_log(chief_expert_id, served_on, id);
create index service_log_demand on service_log(demand_id, id);
create index service_log_problem on service_log(problem_id, id);
