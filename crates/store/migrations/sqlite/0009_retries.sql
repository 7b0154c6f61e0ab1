-- Requests that may be sent again (SQLite).
-- Kept in step with ../postgres/0009_retries.sql.

-- POSTs sent with an Idempotency-Key: the first answer, replayed to a retry for 24 hours. A row
-- without a status is a request still being handled.
create table idempotency (
    user_id integer not null,
    key text not null,
    fingerprint text not null,
    status integer,
    content_type text,
    location text,
    body blob,
    created_at text not null,
    primary key (user_id, key)
);
create index idempotency_created on idempotency(created_at);

-- Spreadsheets imported, by their SHA-256: the same sheet again is refused with a pointer to the
-- first import.
create table import_record (
    sha256 text primary key,
    record_kind text not null,
    user_id integer,
    username text not null,
    ids text not null,
    created_at text not null
);
