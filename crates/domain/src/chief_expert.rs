//! Chief experts (首席专家): an expert appointed for a term to a place (a county or a town — an
//! organisation of the government kind) or to an industry chain (氟硅新材料, 食用菌 …), for
//! agriculture or industry, with the appointment's document number, who appointed them and their
//! duties. Their status follows from the term and today: appointed (the term has not begun),
//! serving, ended. Each keeps a service log — visits, trainings given, problems solved, demands
//! taken, dated and with files — whose yearly tally per kind counts towards the appraisal.

use crate::input::{self, de_opt_string, opt_text};
use crate::{FieldErrors, Msg, code_enum};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

code_enum!(
    ChiefField {
        Agriculture = "agriculture", "农业", "Agriculture";
        Industry = "industry", "工业", "Industry";
    }
);

code_enum!(
    /// Derived from the term and today, never stored.
    ChiefStatus {
        Appointed = "appointed", "已聘任（未到任期）", "Appointed (term not begun)";
        Serving = "serving", "在任", "Serving";
        Ended = "ended", "已期满", "Term ended";
    }
);

code_enum!(
    ServiceKind {
        Visit = "visit", "走访", "Visit";
        Training = "training", "授课培训", "Training given";
        Problem = "problem", "解决难题", "Problem solved";
        Demand = "demand", "承接需求", "Demand taken";
        Other = "other", "其他", "Other";
    }
);

/// Where a term stands on `today`: before its first day appointed, after its last day ended.
pub fn status_on(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> ChiefStatus {
    if today < from {
        ChiefStatus::Appointed
    } else if today > to {
        ChiefStatus::Ended
    } else {
        ChiefStatus::Serving
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChiefExpert {
    pub id: i64,
    /// The expert appointed.
    pub person_id: i64,
    pub person_name: String,
    pub field: ChiefField,
    /// The place served: a county or town (an organisation of the government kind).
    pub organization_id: Option<i64>,
    pub organization_name: Option<String>,
    /// The place's division code (GB/T 2260), from the organisation.
    pub region_code: Option<String>,
    /// The industry chain served (氟硅新材料, 食用菌 …).
    pub chain: Option<String>,
    /// The appointment document's number (聘任文号).
    pub document_no: String,
    /// Who appointed them (聘任单位).
    pub appointed_by: String,
    pub from_on: NaiveDate,
    pub to_on: NaiveDate,
    pub duties: Option<String>,
    /// From the term and today.
    pub status: ChiefStatus,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a form or a JSON body gives for an appointment. A place (`organization_id`) or an
/// industry chain (`chain`) — at least one.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ChiefExpertInput {
    /// An expert (a person marked as an expert).
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required, value_type = Option<i64>, minimum = 1)]
    pub person_id: Option<String>,
    #[schema(required, value_type = Option<ChiefField>)]
    pub field: Option<String>,
    /// The county or town served: an organisation of the government kind. Needed unless `chain` is given.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub organization_id: Option<String>,
    /// The industry chain served. Needed unless `organization_id` is given.
    #[schema(max_length = 100, example = "氟硅新材料")]
    pub chain: Option<String>,
    #[schema(required, max_length = 100, example = "衢委人〔2026〕12号")]
    pub document_no: Option<String>,
    #[schema(required, max_length = 200, example = "中共衢州市委组织部")]
    pub appointed_by: Option<String>,
    /// The term's first day.
    #[schema(required, value_type = Option<String>, format = Date)]
    pub from_on: Option<String>,
    /// The term's last day, after `from_on`.
    #[schema(required, value_type = Option<String>, format = Date)]
    pub to_on: Option<String>,
    #[schema(max_length = 5000)]
    pub duties: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChiefExpertData {
    pub person_id: i64,
    pub field: ChiefField,
    pub organization_id: Option<i64>,
    pub chain: Option<String>,
    pub document_no: String,
    pub appointed_by: String,
    pub from_on: NaiveDate,
    pub to_on: NaiveDate,
    pub duties: Option<String>,
}

impl ChiefExpertInput {
    pub fn from_record(c: &ChiefExpert) -> Self {
        ChiefExpertInput {
            person_id: Some(c.person_id.to_string()),
            field: Some(c.field.as_str().into()),
            organization_id: c.organization_id.map(|i| i.to_string()),
            chain: c.chain.clone(),
            document_no: Some(c.document_no.clone()),
            appointed_by: Some(c.appointed_by.clone()),
            from_on: Some(c.from_on.to_string()),
            to_on: Some(c.to_on.to_string()),
            duties: c.duties.clone(),
        }
    }

    pub fn validate(&self) -> Result<ChiefExpertData, FieldErrors> {
        let mut e = FieldErrors::new();
        let person_id = e.take("person_id", input::id(&self.person_id));
        let field = e.take(
            "field",
            input::code(
                &self.field,
                ChiefField::parse,
                ChiefField::ALL,
                ChiefField::label,
                ChiefField::as_str,
            ),
        );
        let organization_id = e
            .take("organization_id", input::optional_id(&self.organization_id))
            .flatten();
        let chain = e.take("chain", input::optional_text(&self.chain, 100)).flatten();
        if e.get("organization_id").is_none()
            && e.get("chain").is_none()
            && organization_id.is_none()
            && chain.is_none()
        {
            e.add(
                "organization_id",
                Msg::new(
                    "请选择服务的县（市、区）或乡镇，或填写服务的产业链，至少一项",
                    "Choose the county or town served, or give the industry chain — at least one",
                ),
            );
        }
        let document_no = e.take("document_no", input::text(&self.document_no, 100));
        let appointed_by = e.take("appointed_by", input::text(&self.appointed_by, 200));
        let from_on = e.take("from_on", input::date(&self.from_on));
        let to_on = e.take("to_on", input::date(&self.to_on));
        if let (Some(f), Some(t)) = (from_on, to_on)
            && t <= f
        {
            e.add(
                "to_on",
                Msg::new(
                    format!("聘期结束日期须晚于开始日期（{f}）"),
                    format!("The term must end after it begins ({f})"),
                ),
            );
        }
        let duties = e.take("duties", input::optional_text(&self.duties, 5000)).flatten();
        if !e.is_empty() {
            return Err(e);
        }
        Ok(ChiefExpertData {
            person_id: person_id.expect("checked"),
            field: field.expect("checked"),
            organization_id,
            chain,
            document_no: document_no.expect("checked"),
            appointed_by: appointed_by.expect("checked"),
            from_on: from_on.expect("checked"),
            to_on: to_on.expect("checked"),
            duties,
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ChiefExpertFilter {
    /// Words in the expert's name, the chain, the document number or the duties.
    pub q: Option<String>,
    /// agriculture or industry.
    pub field: Option<String>,
    /// The division code of the place served: a county (330881), or a city (330800) for all of its counties.
    pub county: Option<String>,
    /// Part of the industry chain's name.
    pub chain: Option<String>,
    /// The expert.
    #[serde(deserialize_with = "de_opt_string")]
    pub person_id: Option<String>,
    /// The place served, or one under it.
    #[serde(deserialize_with = "de_opt_string")]
    pub organization_id: Option<String>,
    /// Serving at some time in this year (the term overlaps it).
    #[serde(deserialize_with = "de_opt_string")]
    pub year: Option<String>,
    /// appointed, serving or ended, as of today.
    pub status: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub archived: Option<String>,
}

/// One entry of a chief expert's service log.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ServiceLog {
    pub id: i64,
    pub chief_expert_id: i64,
    pub kind: ServiceKind,
    /// The day of the service; never after the day it was logged.
    pub served_on: NaiveDate,
    pub title: String,
    pub place: Option<String>,
    /// Hours spent (a training's teaching hours, a visit's time).
    pub hours: Option<i64>,
    /// People served: trainees taught, farmers or workers reached.
    pub people_served: Option<i64>,
    pub details: Option<String>,
    /// The demand taken (承接需求) or worked on.
    pub demand_id: Option<i64>,
    /// The problem solved.
    pub problem_id: Option<i64>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a form or a JSON body gives for a service-log entry.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ServiceLogInput {
    /// The chief expert's appointment the entry belongs to.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required, value_type = Option<i64>, minimum = 1)]
    pub chief_expert_id: Option<String>,
    #[schema(required, value_type = Option<ServiceKind>)]
    pub kind: Option<String>,
    /// Not after today.
    #[schema(required, value_type = Option<String>, format = Date)]
    pub served_on: Option<String>,
    /// What was done, in a line.
    #[schema(required, max_length = 200)]
    pub title: Option<String>,
    #[schema(max_length = 200)]
    pub place: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    pub hours: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 100000)]
    pub people_served: Option<String>,
    #[schema(max_length = 5000)]
    pub details: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub demand_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub problem_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceLogData {
    pub chief_expert_id: i64,
    pub kind: ServiceKind,
    pub served_on: NaiveDate,
    pub title: String,
    pub place: Option<String>,
    pub hours: Option<i64>,
    pub people_served: Option<i64>,
    pub details: Option<String>,
    pub demand_id: Option<i64>,
    pub problem_id: Option<i64>,
}

fn count(v: &Option<String>, max: i64, what: (&str, &str)) -> Result<Option<i64>, Msg> {
    match opt_text(v) {
        None => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .map(Some)
            .ok_or_else(|| {
                Msg::new(
                    format!("{}“{s}”无效：应为 1–{max} 之间的整数", what.0),
                    format!("“{s}” is not a valid {} (a whole number from 1 to {max})", what.1),
                )
            }),
    }
}

impl ServiceLogInput {
    pub fn from_record(r: &ServiceLog) -> Self {
        let s = |v: Option<i64>| v.map(|i| i.to_string());
        ServiceLogInput {
            chief_expert_id: Some(r.chief_expert_id.to_string()),
            kind: Some(r.kind.as_str().into()),
            served_on: Some(r.served_on.to_string()),
            title: Some(r.title.clone()),
            place: r.place.clone(),
            hours: s(r.hours),
            people_served: s(r.people_served),
            details: r.details.clone(),
            demand_id: s(r.demand_id),
            problem_id: s(r.problem_id),
        }
    }

    pub fn validate(&self) -> Result<ServiceLogData, FieldErrors> {
        let mut e = FieldErrors::new();
        let chief_expert_id = e.take("chief_expert_id", input::id(&self.chief_expert_id));
        let kind = e.take(
            "kind",
            input::code(
                &self.kind,
                ServiceKind::parse,
                ServiceKind::ALL,
                ServiceKind::label,
                ServiceKind::as_str,
            ),
        );
        let served_on = e.take("served_on", input::date(&self.served_on));
        let title = e.take("title", input::text(&self.title, 200));
        let place = e.take("place", input::optional_text(&self.place, 200)).flatten();
        let hours = e
            .take("hours", count(&self.hours, 1000, ("时长（小时）", "number of hours")))
            .flatten();
        let people_served = e
            .take(
                "people_served",
                count(&self.people_served, 100_000, ("服务人数", "number of people")),
            )
            .flatten();
        let details = e.take("details", input::optional_text(&self.details, 5000)).flatten();
        let demand_id = e.take("demand_id", input::optional_id(&self.demand_id)).flatten();
        let problem_id = e.take("problem_id", input::optional_id(&self.problem_id)).flatten();
        if !e.is_empty() {
            return Err(e);
        }
        Ok(ServiceLogData {
            chief_expert_id: chief_expert_id.expect("checked"),
            kind: kind.expect("checked"),
            served_on: served_on.expect("checked"),
            title: title.expect("checked"),
            place,
            hours,
            people_served,
            details,
            demand_id,
            problem_id,
        })
    }
}

/// A service is logged once it happened: its day is never after `today`.
pub fn check_served_on(on: NaiveDate, today: NaiveDate) -> Result<(), Msg> {
    if on > today {
        Err(Msg::new(
            format!("服务日期不能晚于今天（{today}）"),
            format!("The service cannot be dated after today ({today})"),
        ))
    } else {
        Ok(())
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ServiceLogFilter {
    /// The chief expert's appointment.
    #[serde(deserialize_with = "de_opt_string")]
    pub chief_expert_id: Option<String>,
    /// visit, training, problem, demand or other.
    pub kind: Option<String>,
    /// Served in this year.
    #[serde(deserialize_with = "de_opt_string")]
    pub year: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub demand_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub archived: Option<String>,
}

/// One kind's line of a year's tally: entries, hours and people served (entries not archived).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ServiceTally {
    pub kind: Option<ServiceKind>,
    pub count: i64,
    pub hours: i64,
    pub people_served: i64,
}

/// A demand matched to a chief expert, for their page: the demand, its enterprise and where the
/// demand and the match stand.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MatchedDemand {
    pub match_id: i64,
    pub demand_id: i64,
    pub title: String,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    /// The demand's status code (see `DemandStatus`).
    pub demand_status: String,
    /// The match's status code (see `MatchStatus`).
    pub match_status: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ChiefExpertInput {
        ChiefExpertInput {
            person_id: Some("3".into()),
            field: Some("agriculture".into()),
            organization_id: Some("5".into()),
            document_no: Some("衢委人〔2026〕12号".into()),
            appointed_by: Some("中共衢州市委组织部".into()),
            from_on: Some("2026-01-01".into()),
            to_on: Some("2028-12-31".into()),
            ..Default::default()
        }
    }

    #[test]
    fn an_appointment_needs_a_place_or_a_chain() {
        let mut i = base();
        i.organization_id = None;
        let e = i.validate().unwrap_err();
        assert!(e.get("organization_id").unwrap().zh.contains("产业链"));
        i.chain = Some("食用菌".into());
        let d = i.validate().unwrap();
        assert_eq!((d.organization_id, d.chain.as_deref()), (None, Some("食用菌")));
    }

    #[test]
    fn a_term_must_end_after_it_begins() {
        let mut i = base();
        i.to_on = Some("2026-01-01".into());
        assert!(i.validate().unwrap_err().get("to_on").is_some());
        i.to_on = Some("2026-01-02".into());
        assert!(i.validate().is_ok());
    }

    #[test]
    fn the_status_follows_the_term_with_both_ends_inside() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let (f, t) = (d("2026-01-01"), d("2028-12-31"));
        assert_eq!(status_on(f, t, d("2025-12-31")), ChiefStatus::Appointed);
        assert_eq!(status_on(f, t, f), ChiefStatus::Serving);
        assert_eq!(status_on(f, t, t), ChiefStatus::Serving);
        assert_eq!(status_on(f, t, d("2029-01-01")), ChiefStatus::Ended);
    }

    #[test]
    fn a_service_is_never_dated_after_today() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert!(check_served_on(d("2026-06-15"), d("2026-06-15")).is_ok());
        assert!(
            check_served_on(d("2026-06-16"), d("2026-06-15"))
                .unwrap_err()
                .zh
                .contains("今天")
        );
    }

    #[test]
    fn hours_and_people_are_whole_numbers_when_given() {
        let mut i = ServiceLogInput {
            chief_expert_id: Some("1".into()),
            kind: Some("training".into()),
            served_on: Some("2026-03-01".into()),
            title: Some("食用菌栽培技术培训".into()),
            hours: Some("3".into()),
            people_served: Some("45".into()),
            ..Default::default()
        };
        let d = i.validate().unwrap();
        assert_eq!((d.hours, d.people_served), (Some(3), Some(45)));
        i.hours = Some("2.5".into());
        i.people_served = Some("0".into());
        let e = i.validate().unwrap_err();
        assert!(e.get("hours").is_some() && e.get("people_served").is_some());
        i.kind = Some("lecture".into());
        assert!(i.validate().unwrap_err().get("kind").unwrap().zh.contains("授课培训"));
    }
}
