-- The thread of a problem (SQLite). Kept in step with ../postgres/0010_problem_comments.sql.

-- A comment on a problem: who wrote it, when, what.
create table problem_comment (
    id integer primary key,
    problem_id integer not null references problem(id),
    user_id integer,
    author text not null,
    body text not null,
    created_at text not null,
    updated_at text not null
);
create index problem_comment_problem on problem_comment(problem_id, id);

-- Files posted with a comment: attachments of the problem, linked to the comment they came with.
create table problem_comment_attachment (
    comment_id integer not null references problem_comment(id),
    attachment_id integer not null references attachment(id),
    primary key (comment_id, attachment_id)
);
