//! Integration tests of the web crate: one binary, driving the router as clients and browsers do.

mod access;
mod api;
mod closed_loop;
mod concurrency;
mod demands;
mod events;
mod groups;
mod helpers;
mod matching;
mod openapi;
mod outcomes;
mod pages;
mod platforms;
mod records;
mod reminders;
mod retries;
mod role_home;
mod role_matches;
mod role_problems;
mod role_supervision;
mod role_words;
mod search;
mod signin;
mod supervision;
