//! An expert's papers and patents, as records on their profile (title, abstract, keywords, year):
//! what matching reads to know what an expert works on.

use crate::input::{self, de_list, de_opt_string, opt_text};
use crate::research_result::{keywords, parse_patent_number};
use crate::{FieldErrors, Msg, code_enum};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

code_enum!(
    WorkKind {
        Paper = "paper", "论文", "Paper";
        Patent = "patent", "专利", "Patent";
    }
);

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExpertWork {
    pub id: i64,
    pub person_id: i64,
    pub kind: WorkKind,
    pub title: String,
    pub summary: Option<String>,
    pub keywords: Vec<String>,
    pub year: Option<i32>,
    /// The journal of a paper; the application number of a patent (`CN…`).
    pub venue: Option<String>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a form or a JSON body gives for an expert's paper or patent.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct WorkInput {
    /// The expert (a person id).
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required, value_type = Option<i64>, minimum = 1)]
    pub person_id: Option<String>,
    /// `paper` when not given.
    #[schema(value_type = Option<WorkKind>, default = "paper")]
    pub kind: Option<String>,
    #[schema(required, max_length = 300)]
    pub title: Option<String>,
    /// The abstract.
    #[schema(max_length = 20000)]
    pub summary: Option<String>,
    /// A list, or one string separated by commas, 、 or semicolons; each at most 50 characters.
    #[serde(deserialize_with = "de_list")]
    pub keywords: Vec<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i32>, minimum = 1990, maximum = 2100, example = 2024)]
    pub year: Option<String>,
    /// The journal of a paper (at most 200 characters); for a patent, required: its CN application
    /// number with the check digit, e.g. `CN202110123456.5`.
    pub venue: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WorkData {
    pub person_id: i64,
    pub kind: WorkKind,
    pub title: String,
    pub summary: Option<String>,
    pub keywords: Vec<String>,
    pub year: Option<i32>,
    pub venue: Option<String>,
}

impl WorkInput {
    pub fn from_record(w: &ExpertWork) -> Self {
        WorkInput {
            person_id: Some(w.person_id.to_string()),
            kind: Some(w.kind.as_str().into()),
            title: Some(w.title.clone()),
            summary: w.summary.clone(),
            keywords: w.keywords.clone(),
            year: w.year.map(|y| y.to_string()),
            venue: w.venue.clone(),
        }
    }

    pub fn validate(&self) -> Result<WorkData, FieldErrors> {
        let mut e = FieldErrors::new();
        let person_id = e.take("person_id", input::id(&self.person_id));
        let kind = match opt_text(&self.kind) {
            None => Some(WorkKind::Paper),
            Some(_) => e.take(
                "kind",
                input::code(
                    &self.kind,
                    WorkKind::parse,
                    WorkKind::ALL,
                    WorkKind::label,
                    WorkKind::as_str,
                ),
            ),
        };
        let title = e.take("title", input::text(&self.title, 300));
        let summary = e.take("summary", input::optional_text(&self.summary, 20_000));
        let keywords = e.take("keywords", keywords(&self.keywords));
        let year = match opt_text(&self.year) {
            None => Some(None),
            Some(_) => e.take("year", input::year(&self.year)).map(Some),
        };
        let venue = if kind == Some(WorkKind::Patent) {
            match opt_text(&self.venue) {
                None => {
                    e.add(
                        "venue",
                        Msg::new("专利须填写申请号", "A patent needs its application number"),
                    );
                    None
                }
                Some(s) => e.take("venue", parse_patent_number(s)).map(Some),
            }
        } else {
            e.take("venue", input::optional_text(&self.venue, 200))
        };
        if !e.is_empty() {
            return Err(e);
        }
        Ok(WorkData {
            person_id: person_id.expect("checked"),
            kind: kind.expect("checked"),
            title: title.expect("checked"),
            summary: summary.flatten(),
            keywords: keywords.expect("checked"),
            year: year.flatten(),
            venue: venue.flatten(),
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct WorkFilter {
    pub q: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub person_id: Option<String>,
    pub kind: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub archived: Option<String>,
}
