-- The annual review (工作会议回顾), one per year, its id the year: a draft's prose, and once issued
-- its content frozen with its SHA-256 (SQLite). Kept in step with ../postgres/0021_annual_review.sql.
-- (0020 is the statistics' summary table, on its own branch.)

create table annual_review (
    id integer primary key,
    title text not null,
    intro text not null,
    next_year text not null,
    status text not null,
    content text,
    content_hash text,
    issued_at text,
    issued_by text,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
