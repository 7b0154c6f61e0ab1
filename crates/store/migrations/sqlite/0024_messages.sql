-- Messages (沟通消息): the thread on a demand and the thread on each match, their read receipts and
-- every earlier text of an edited message (SQLite). Kept in step with ../postgres/0024_messages.sql.
-- A message's files are attachments of kind 'message'.

create table message (
    id integer primary key,
    demand_id integer references demand(id),
    match_id integer references demand_match(id),
    user_id integer,
    author text not null,
    body text not null,
    edited_at text,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null,
    check ((demand_id is null) <> (match_id is null))
);
create index message_demand on message(demand_id, id);
create index message_match on message(match_id, id);

-- Who read a message: one row per account, the first reading.
create table message_read (
    message_id integer not null references message(id),
    user_id integer not null,
    username text not null,
    read_at text not null,
    primary key (message_id, user_id)
);
create index message_read_user on message_read(user_id, message_id);

-- What an edited message said before: one row per replaced text.
create table message_edit (
    id integer primary key,
    message_id integer not null references message(id),
    body text not null,
    written_at text not null,
    replaced_at text not null
);
create index message_edit_message on message_edit(message_id, id);
