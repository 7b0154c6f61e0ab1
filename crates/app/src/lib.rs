//! The operations that both the web server and the command line run, kept free of HTTP so that each
//! can be called, and tested, as a plain function: the search index that follows the records'
//! change feed ([`search`]), ranking a demand's experts and results with the priors only the
//! records know ([`matching`]), near-duplicate scoring and the spreadsheet import of demands
//! ([`demands`]), and the day's reminders ([`reminders`]).
//!
//! Imports `hezuo-domain`, `hezuo-store`, `hezuo-search` and `hezuo-report`; nothing here knows about
//! requests, responses or pages. Words meant for people come back as [`hezuo_domain::Msg`] (Chinese
//! and English), and the caller picks the language.

pub mod demands;
pub mod flags;
pub mod mail;
pub mod matching;
pub mod notifications;
pub mod pool;
pub mod pow;
pub mod project_import;
pub mod registrations;
pub mod reminders;
pub mod search;
pub mod trainings;
pub mod webhooks;

use hezuo_domain::FieldErrors;
use hezuo_store::StoreError;

/// What an operation can fail with: what the records refuse (not found, forbidden, invalid,
/// conflicting — the store's own answer), a full queue of matching and search jobs, or a fault of the machinery (the index, a worker thread).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
    /// Matching and search's queue is full ([`pool::EnginePool`]): try again shortly.
    #[error(transparent)]
    Busy(#[from] pool::Busy),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<FieldErrors> for Error {
    fn from(f: FieldErrors) -> Self {
        Error::Store(StoreError::Invalid(f))
    }
}

impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Self {
        Error::Internal(format!("{e:#}"))
    }
}

impl From<tokio::task::JoinError> for Error {
    fn from(e: tokio::task::JoinError) -> Self {
        Error::Internal(e.to_string())
    }
}
