-- Webhooks (issue 18): an organisation's 浙政钉/DingTalk group robots and generic JSON receivers,
-- the events that reach them (an outbox written in the transaction of the write that caused
-- each event) and one delivery per (webhook, event). Kept in step with ../postgres/0027_webhooks.sql.

create table webhook (
    id integer primary key,
    organization_id integer not null references organization(id),
    name text not null,
    -- dingtalk or json
    kind text not null,
    url text not null,
    -- the signing secret: written, never read back by the API or a page
    secret text not null,
    -- the office's own: every organisation's events
    all_units boolean not null default false,
    -- the chosen events' codes, comma-separated (flag_red, bulletin_issued, demand_matched, decision_late)
    events text not null,
    enabled boolean not null default true,
    archived boolean not null default false,
    created_at text not null,
    updated_at text not null
);
create index webhook_organization on webhook(organization_id, id);

-- What happened, once: the key (e.g. bulletin_issued:12, decision_late:7:2026-03-31) is unique, so
-- two writers (two servers) recording the same event record it once.
create table webhook_event (
    id integer primary key,
    event_key text not null unique,
    -- an event code, or test for a test post
    kind text not null,
    -- the organisation it belongs to (null: the whole cooperation, e.g. a bulletin)
    organization_id integer references organization(id),
    record_kind text,
    record_id integer,
    title text not null,
    -- the message in Chinese (DingTalk markdown, without the link)
    body text not null,
    -- the record's page on this server, e.g. /projects/12
    path text,
    -- the JSON payload's data object
    data text not null,
    occurred_at text not null
);

-- One post of one event to one webhook, with its retries: never two rows for a pair.
create table webhook_delivery (
    id integer primary key,
    webhook_id integer not null references webhook(id),
    event_id integer not null references webhook_event(id),
    -- pending, delivered or failed
    status text not null,
    attempts integer not null default 0,
    next_at text,
    -- a dispatcher claimed it until then (another may take it after, should the first have died)
    lease_until text,
    last_status integer,
    last_error text,
    delivered_at text,
    created_at text not null,
    updated_at text not null,
    unique (webhook_id, event_id)
);
create index webhook_delivery_due on webhook_delivery(status, next_at);
create index webhook_delivery_log on webhook_delivery(webhook_id, id);

-- The flag a project last had when computed (the triggers empty flag, never this): a refresh that
-- finds it red where it was not records one flag_red event.
alter table project_flag add column last_flag text;
update project_flag set last_flag = flag;
