//! Integration tests of the web crate: one binary, driving the router as clients and browsers do.

mod api;
mod helpers;
mod pages;
