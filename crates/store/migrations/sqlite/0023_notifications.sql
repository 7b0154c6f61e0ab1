-- The notification centre (SQLite): one row per thing a user is told (a reminder, a review's outcome,
-- a new match, a message, a decision assigned, a registration to approve), read or not, emailed in the
-- day's digest or not; each user's preferences; and the digests sent, one per user per day at most
-- (the primary key makes a second run or a second server send nothing twice).
-- Kept in step with ../postgres/0023_notifications.sql.

create table notification (
    id integer primary key,
    user_id integer not null references user_account(id),
    kind text not null,
    subject text not null,
    body text not null,
    link text,
    created_at text not null,
    read_at text,
    emailed_at text
);
create index notification_user on notification(user_id, id);
create index notification_unread on notification(user_id) where read_at is null;

create table notification_pref (
    user_id integer primary key references user_account(id),
    email text,
    email_off text not null default '',
    digest_hour integer not null default 8,
    updated_at text not null
);

create table notification_digest (
    user_id integer not null references user_account(id),
    day text not null,
    items integer not null,
    sent_at text not null,
    primary key (user_id, day)
);

-- The reminders people already had become their accounts' notifications.
insert into notification (user_id, kind, subject, body, link, created_at, read_at, emailed_at)
select u.id, 'reminder', r.subject, r.body, null, r.created_at, r.read_at, case when r.emailed then r.updated_at end
from reminder r join user_account u on u.person_id = r.person_id
order by r.id;
