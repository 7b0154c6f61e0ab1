//! Integration tests of the web crate: one binary, driving the router as clients and browsers do.

mod access;
mod api;
mod helpers;
mod pages;
mod reminders;
mod supervision;
