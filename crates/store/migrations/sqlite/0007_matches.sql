-- Matches: a demand paired with an expert or a result, confirmed from the engine's suggestions (SQLite).
-- Kept in step with ../postgres/0007_matches.sql.

create table demand_match (
    id integer primary key,
    demand_id integer not null references demand(id),
    target text not null,
    person_id integer references person(id),
    result_id integer references research_result(id),
    score double precision not null,
    reasons text not null default '[]',
    status text not null,
    reason text,
    created_at text not null,
    updated_at text not null
);
create unique index demand_match_person on demand_match(demand_id, person_id);
create unique index demand_match_result on demand_match(demand_id, result_id);
create index demand_match_expert on demand_match(person_id, status);
