-- Secrets every server of one deployment must share (e.g. the key signing /register's proof-of-work
-- challenges), made once by whichever server asks first. Kept in step with the other backend's 0028.

create table server_secret (
    name text primary key,
    value text not null,
    created_at text not null
);
