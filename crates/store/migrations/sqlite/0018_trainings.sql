-- Trainings and practice (培训实践): training classes, lectures and forums, students' practice,
-- with their participants (SQLite). Kept in step with ../postgres/0018_trainings.sql.

-- One training, lecture, forum or practice; organizer_id is whose scope it falls in.
create table training (
    id integer primary key,
    title text not null,
    kind text not null,
    audience text,
    organizer_id integer not null references organization(id),
    co_organizer_id integer references organization(id),
    start_on text not null,
    end_on text not null,
    place text,
    hours real,
    -- the division code of the county (or city) it served
    county_code text,
    planned_headcount integer,
    evaluation_score real,
    evaluation_summary text,
    status text not null,
    summary text,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create index training_start on training(archived, start_on, id);
create index training_kind on training(archived, kind, start_on);
create index training_organizer on training(organizer_id, id);
create index training_co_organizer on training(co_organizer_id, id);
create index training_county on training(county_code, id);

-- Its participants, in the order of the list: the unit as written, the organisation of that name
-- when one is registered, and the county they count for (their unit's, else the training's).
create table training_participant (
    id integer primary key,
    training_id integer not null references training(id),
    position integer not null,
    name text not null,
    unit text not null,
    organization_id integer references organization(id),
    county_code text,
    post text,
    phone text,
    attended boolean not null default false,
    hours_attended real
);
create index training_participant_training on training_participant(training_id, position);
create index training_participant_county on training_participant(county_code, training_id);
create index training_participant_organization on training_participant(organization_id, training_id);
