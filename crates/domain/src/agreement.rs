//! Agreements (合作协议) between two or more parties; they nest, e.g. a county–college agreement
//! under the city–university comprehensive one.

use crate::input::{self, de_list, de_opt_string};
use crate::{FieldErrors, Msg, code_enum};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

code_enum!(
    AgreementKind {
        Comprehensive = "comprehensive", "全面合作协议", "Comprehensive cooperation";
        Technology = "technology", "科技合作协议", "Technology cooperation";
        Talent = "talent", "人才合作工程", "Talent cooperation";
        CountyCollege = "county_college", "县院合作协议", "County–college";
        SchoolEnterprise = "school_enterprise", "校企合作协议", "School–enterprise";
        SchoolSchool = "school_school", "校校合作协议", "School–school";
    }
);

code_enum!(
    AgreementStatus {
        Draft = "draft", "拟签", "Draft";
        InForce = "in_force", "执行中", "In force";
        Expired = "expired", "已到期", "Expired";
        Terminated = "terminated", "已终止", "Terminated";
    }
);

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Agreement {
    pub id: i64,
    /// The agreement this one sits under.
    pub parent_id: Option<i64>,
    pub title: String,
    pub kind: AgreementKind,
    pub signed_on: NaiveDate,
    pub term_end: Option<NaiveDate>,
    pub status: AgreementStatus,
    pub summary: Option<String>,
    /// Organisation ids of the parties (two or more).
    pub party_ids: Vec<i64>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a form or a JSON body gives for an agreement.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AgreementInput {
    /// The agreement this one sits under.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub parent_id: Option<String>,
    #[schema(required, max_length = 200)]
    pub title: Option<String>,
    #[schema(required, value_type = Option<AgreementKind>)]
    pub kind: Option<String>,
    #[schema(required, value_type = Option<String>, format = Date)]
    pub signed_on: Option<String>,
    /// Not before `signed_on`.
    #[schema(value_type = Option<String>, format = Date)]
    pub term_end: Option<String>,
    /// `in_force` when not given.
    #[schema(value_type = Option<AgreementStatus>, default = "in_force")]
    pub status: Option<String>,
    #[schema(max_length = 5000)]
    pub summary: Option<String>,
    /// Organisation ids of the parties: two or more (a list, or one string separated by commas).
    #[serde(deserialize_with = "de_list")]
    #[schema(required, value_type = Vec<i64>, min_items = 2)]
    pub party_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AgreementData {
    pub parent_id: Option<i64>,
    pub title: String,
    pub kind: AgreementKind,
    pub signed_on: NaiveDate,
    pub term_end: Option<NaiveDate>,
    pub status: AgreementStatus,
    pub summary: Option<String>,
    pub party_ids: Vec<i64>,
}

impl AgreementInput {
    pub fn from_record(a: &Agreement) -> Self {
        AgreementInput {
            parent_id: a.parent_id.map(|i| i.to_string()),
            title: Some(a.title.clone()),
            kind: Some(a.kind.as_str().into()),
            signed_on: Some(a.signed_on.to_string()),
            term_end: a.term_end.map(|d| d.to_string()),
            status: Some(a.status.as_str().into()),
            summary: a.summary.clone(),
            party_ids: a.party_ids.iter().map(|i| i.to_string()).collect(),
        }
    }

    pub fn validate(&self) -> Result<AgreementData, FieldErrors> {
        let mut e = FieldErrors::new();
        let parent_id = e.take("parent_id", input::optional_id(&self.parent_id));
        let title = e.take("title", input::text(&self.title, 200));
        let kind = e.take(
            "kind",
            input::code(
                &self.kind,
                AgreementKind::parse,
                AgreementKind::ALL,
                AgreementKind::label,
                AgreementKind::as_str,
            ),
        );
        let signed_on = e.take("signed_on", input::date(&self.signed_on));
        let term_end = e.take("term_end", input::optional_date(&self.term_end));
        let status = match input::opt_text(&self.status) {
            None => Some(AgreementStatus::InForce),
            Some(_) => e.take(
                "status",
                input::code(
                    &self.status,
                    AgreementStatus::parse,
                    AgreementStatus::ALL,
                    AgreementStatus::label,
                    AgreementStatus::as_str,
                ),
            ),
        };
        let summary = e.take("summary", input::optional_text(&self.summary, 5000));
        let party_ids = e.take("party_ids", input::ids(&self.party_ids));
        if let Some(p) = &party_ids
            && p.len() < 2
        {
            e.add(
                "party_ids",
                Msg::new("协议至少需要两个签约方", "An agreement needs at least two parties"),
            );
        }
        if let (Some(s), Some(Some(t))) = (signed_on, term_end)
            && t < s
        {
            e.add(
                "term_end",
                Msg::new(
                    "协议到期日不能早于签订日",
                    "The term cannot end before the signing date",
                ),
            );
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(AgreementData {
            parent_id: parent_id.flatten(),
            title: title.expect("checked"),
            kind: kind.expect("checked"),
            signed_on: signed_on.expect("checked"),
            term_end: term_end.flatten(),
            status: status.expect("checked"),
            summary: summary.flatten(),
            party_ids: party_ids.expect("checked"),
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct AgreementFilter {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    /// Agreements this organisation is a party to.
    #[serde(deserialize_with = "de_opt_string")]
    pub organization_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub parent_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub archived: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_agreement_needs_two_distinct_parties() {
        let i = AgreementInput {
            title: Some("全面合作协议".into()),
            kind: Some("comprehensive".into()),
            signed_on: Some("2006-05-18".into()),
            party_ids: vec!["1".into(), "1".into()],
            ..Default::default()
        };
        assert!(i.validate().unwrap_err().get("party_ids").is_some());
    }

    #[test]
    fn a_term_ending_before_signing_is_rejected() {
        let i = AgreementInput {
            title: Some("科技合作协议".into()),
            kind: Some("technology".into()),
            signed_on: Some("2001-03-01".into()),
            term_end: Some("2000-12-31".into()),
            party_ids: vec!["1,2".into()],
            ..Default::default()
        };
        let e = i.validate().unwrap_err();
        assert_eq!(e.0.keys().collect::<Vec<_>>(), vec!["term_end"]);
    }
}
