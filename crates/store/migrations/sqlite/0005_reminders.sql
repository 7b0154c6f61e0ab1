-- Reminders: one per person per day at most (the unique index makes a second run send nothing),
-- and the in-app notifications they leave (SQLite). Kept in step with ../postgres/0005_reminders.sql.

create table reminder (
    id integer primary key,
    person_id integer not null references person(id),
    day text not null,
    subject text not null,
    body text not null,
    emailed boolean not null default false,
    read_at text,
    created_at text not null,
    updated_at text not null
);
create unique index reminder_person_day on reminder(person_id, day);
