-- Accounts, sessions, API tokens, login throttling and the audit log (SQLite).
-- Kept column-for-column in step with ../postgres/0002_accounts_audit.sql.

create table user_account (
    id integer primary key,
    username text not null,
    password_hash text not null,
    role text not null,
    organization_id integer references organization(id),
    person_id integer references person(id),
    must_change_password boolean not null default false,
    disabled boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create unique index user_account_username on user_account(username);

create table user_session (
    token_hash text primary key,
    user_id integer not null references user_account(id),
    csrf_token text not null,
    ip text,
    expires_at text not null,
    created_at text not null,
    updated_at text not null
);
create index user_session_user on user_session(user_id);

create table api_token (
    id integer primary key,
    user_id integer not null references user_account(id),
    name text not null,
    token_hash text not null,
    expires_at text,
    revoked_at text,
    created_at text not null,
    updated_at text not null
);
create unique index api_token_hash on api_token(token_hash);
create index api_token_user on api_token(user_id, id);

create table login_failure (
    key text primary key,
    failures bigint not null,
    created_at text not null,
    updated_at text not null
);

-- Append-only: the application never updates or deletes a row here.
create table audit_entry (
    id integer primary key,
    user_id integer references user_account(id),
    username text not null,
    ip text,
    record_kind text not null,
    record_id bigint not null,
    action text not null,
    changes text not null,
    created_at text not null,
    updated_at text not null
);
create index audit_entry_record on audit_entry(record_kind, record_id, id);
create index audit_entry_user on audit_entry(user_id, id);
create index audit_entry_created on audit_entry(created_at);
