-- Supervision bulletins (督查通报): drafts, and issued ones frozen with their content and its hash
-- (SQLite). Kept in step with ../postgres/0004_bulletin.sql.

create table bulletin (
    id integer primary key,
    batch_id integer not null references batch(id),
    period text not null,
    title text not null,
    intro text not null,
    closing text not null,
    status text not null,
    year integer,
    seq integer,
    content text,
    content_hash text,
    issued_at text,
    issued_by text,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create index bulletin_batch on bulletin(batch_id, period);
create unique index bulletin_number on bulletin(year, seq);
