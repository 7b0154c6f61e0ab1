-- Meetings and what they decide: events (the annual work conference, consultations, visits, a
-- group's meetings) with the people and organisations present, and the decisions taken (议定事项),
-- each with an owner unit, a due date and a status, followed to done or handed over to a project or
-- a problem (SQLite). Kept in step with ../postgres/0019_meetings.sql.

create table event (
    id integer primary key,
    title text not null,
    kind text not null,
    held_on text not null,
    place text,
    group_id integer references coordination_group(id),
    organizer_id integer references organization(id),
    batch_id integer references batch(id),
    agenda text,
    minutes text,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create index event_held on event(archived, held_on, id);
create index event_kind on event(kind, held_on);
create index event_group on event(group_id, held_on);
create index event_batch on event(batch_id);

-- Who attended: people.
create table event_person (
    event_id integer not null references event(id),
    person_id integer not null references person(id),
    primary key (event_id, person_id)
);
create index event_person_person on event_person(person_id, event_id);

-- The organisations present.
create table event_organization (
    event_id integer not null references event(id),
    organization_id integer not null references organization(id),
    primary key (event_id, organization_id)
);
create index event_organization_organization on event_organization(organization_id, event_id);

create table decision (
    id integer primary key,
    event_id integer not null references event(id),
    title text not null,
    owner_id integer not null references organization(id),
    responsible_person_id integer references person(id),
    due_on text not null,
    status text not null,
    progress text,
    done_on text,
    project_id integer references project(id),
    problem_id integer references problem(id),
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create index decision_event on decision(event_id, id);
create index decision_owner on decision(owner_id, status, due_on);
create index decision_due on decision(archived, status, due_on, id);
create index decision_project on decision(project_id);
create index decision_problem on decision(problem_id);
