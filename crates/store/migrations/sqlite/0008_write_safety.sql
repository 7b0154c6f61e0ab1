-- Writes that hold when many write at once (SQLite).
-- Kept in step with ../postgres/0008_write_safety.sql.

-- The bytes of every attachment, by their SHA-256: written in the same transaction as the row that
-- names them, so a refused upload leaves nothing, and every server reads them.
create table attachment_blob (
    sha256 text primary key,
    content blob not null,
    size_bytes bigint not null,
    created_at text not null
);

-- Browsers a user signed in with (the cookie's secret, hashed): sign-in throttling per account does
-- not hold them up, so many addresses guessing one account cannot lock its owner out.
create table known_device (
    token_hash text primary key,
    user_id integer not null references user_account(id),
    created_at text not null,
    last_seen_at text not null
);
create index known_device_user on known_device(user_id);
