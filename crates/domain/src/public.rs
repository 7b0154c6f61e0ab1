//! What the public portal (`/public`, no sign-in) shows of each record: only the public fields,
//! and only of records that are public (published notices, open calls, results on offer, accepted
//! demands, platforms, experts who opted in). These types hold nothing else, so a page or a search
//! document built from them cannot show a confidential field.

use crate::demand::CooperationMode;
use crate::money::Money;
use crate::platform::{PlatformKind, PlatformLevel};
use crate::research_result::{Maturity, TransferMode};
use chrono::NaiveDate;

/// An open solicitation call (征集公告).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PublicCampaign {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub organizer: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// A result on offer: title, summary, field, maturity, transfer mode, and the price only when its
/// owners let it be shown.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PublicResult {
    pub id: i64,
    pub title: String,
    pub summary: Option<String>,
    pub field: Option<String>,
    pub maturity: Maturity,
    pub transfer_mode: TransferMode,
    pub price: Option<Money>,
}

/// An accepted demand's public summary; the enterprise's name only when it agreed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PublicDemand {
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub field: Option<String>,
    pub mode: CooperationMode,
    pub enterprise: Option<String>,
}

/// A platform built together, with its hosts.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PublicPlatform {
    pub id: i64,
    pub name: String,
    pub kind: PlatformKind,
    pub level: PlatformLevel,
    pub hosts: Vec<String>,
    pub summary: Option<String>,
}

/// An expert who opted in: name, organisation, title and fields — no phone, email or biography.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PublicExpert {
    pub id: i64,
    pub name: String,
    pub organization: String,
    pub title: Option<String>,
    pub discipline: Option<String>,
    pub research_fields: Option<String>,
}
