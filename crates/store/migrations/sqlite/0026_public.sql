-- The public portal (/public): notices and news the office publishes (通知公告), and the consents
-- that let a record's part be shown to the world — a result's price, a demand's enterprise name,
-- an expert's public profile (SQLite). Kept in step with ../postgres/0026_public.sql.

create table notice (
    id integer primary key,
    title text not null,
    kind text not null,
    body text not null,
    status text not null,
    published_at text,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create index notice_public on notice(archived, status, published_at, id);

-- The owner lets the world see the asking price.
alter table research_result add column price_public boolean not null default false;
-- The enterprise agrees that its name is shown beside its accepted demand's public summary.
alter table demand add column public_name boolean not null default false;
-- The expert opted in to the public list of experts (name, organisation, title, fields only).
alter table person add column public_profile boolean not null default false;
