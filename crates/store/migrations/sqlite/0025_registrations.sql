-- Enterprise self-registration (企业自助注册): an enterprise applies at /register with its account's
-- password; the account exists from then on but is `pending` — it signs in and sees only its own
-- application — until the office or the county's coordinator approves it, which creates the
-- enterprise, its contact person and binds the account to the enterprise in one transaction.
alter table user_account add column pending boolean not null default false;

create table registration (
    id integer primary key,
    name text not null,
    credit_code text not null,
    industry_code text not null,
    -- The county or district (GB/T 2260) of the city the enterprise is in.
    region_code text not null,
    -- The county's government organisation at the time of applying: the enterprise goes under it,
    -- and whose scope holds it (the county's coordinator) may decide. Null: under the city.
    parent_id integer references organization(id),
    contact_name text not null,
    phone text not null,
    email text not null,
    user_id integer not null references user_account(id),
    status text not null,
    reason text,
    organization_id integer references organization(id),
    person_id integer references person(id),
    decided_by text,
    decided_at text,
    -- Whether the office checked the applicant by phone (when the email is not verified).
    phone_checked boolean not null default false,
    email_verified_at text,
    code_hash text,
    code_expires_at text,
    code_attempts integer not null default 0,
    code_sends integer not null default 0,
    code_sent_at text,
    -- The proof-of-work challenge the form was solved for: each one is used once.
    pow_challenge text not null,
    ip text,
    created_at text not null,
    updated_at text not null
);
create unique index registration_pow on registration(pow_challenge);
-- One open (pending or approved) application per credit code; a rejected one may apply again.
create unique index registration_open_code on registration(credit_code) where status <> 'rejected';
create index registration_status on registration(status, id);
create index registration_user on registration(user_id);
