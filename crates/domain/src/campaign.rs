//! Solicitation campaigns (征集活动, 项目征集横向到边): a period in which demands are collected from the
//! target counties and industries, with an optional quota per county; coverage is counted against it.

use crate::input::{self, de_list, de_opt_string, opt_text};
use crate::{FieldErrors, Msg, codes};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Campaign {
    pub id: i64,
    pub title: String,
    /// The organising organisation (the office, a county, the transfer centre).
    pub organizer_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// County-level division codes the campaign reaches (empty: every county).
    pub target_regions: Vec<String>,
    /// GB/T 4754 industry codes it targets (empty: every industry).
    pub target_industries: Vec<String>,
    /// Demands expected from each target county.
    pub quota_per_county: Option<i64>,
    pub description: Option<String>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a form or a JSON body gives for a solicitation campaign.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CampaignInput {
    #[schema(required, max_length = 200)]
    pub title: Option<String>,
    /// The organising organisation (the office, a county, the transfer centre).
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required, value_type = Option<i64>, minimum = 1)]
    pub organizer_id: Option<String>,
    #[schema(required, value_type = Option<String>, format = Date)]
    pub starts_on: Option<String>,
    /// Not before `starts_on`.
    #[schema(required, value_type = Option<String>, format = Date)]
    pub ends_on: Option<String>,
    /// GB/T 2260 county-level division codes (six digits, e.g. 330881) the campaign reaches; none
    /// means every county. A list, or one string separated by commas.
    #[serde(deserialize_with = "de_list")]
    pub target_regions: Vec<String>,
    /// GB/T 4754 industry sections or divisions (`C`, `C26`) it targets; none means every industry.
    /// A list, or one string separated by commas.
    #[serde(deserialize_with = "de_list")]
    pub target_industries: Vec<String>,
    /// Demands expected from each target county.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 100000)]
    pub quota_per_county: Option<String>,
    #[schema(max_length = 5000)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CampaignData {
    pub title: String,
    pub organizer_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub target_regions: Vec<String>,
    pub target_industries: Vec<String>,
    pub quota_per_county: Option<i64>,
    pub description: Option<String>,
}

impl CampaignInput {
    pub fn from_record(c: &Campaign) -> Self {
        CampaignInput {
            title: Some(c.title.clone()),
            organizer_id: Some(c.organizer_id.to_string()),
            starts_on: Some(c.starts_on.to_string()),
            ends_on: Some(c.ends_on.to_string()),
            target_regions: c.target_regions.clone(),
            target_industries: c.target_industries.clone(),
            quota_per_county: c.quota_per_county.map(|q| q.to_string()),
            description: c.description.clone(),
        }
    }

    pub fn validate(&self) -> Result<CampaignData, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = e.take("title", input::text(&self.title, 200));
        let organizer_id = e.take("organizer_id", input::id(&self.organizer_id));
        let starts_on = e.take("starts_on", input::date(&self.starts_on));
        let ends_on = e.take("ends_on", input::date(&self.ends_on));
        if let (Some(s), Some(t)) = (starts_on, ends_on)
            && t < s
        {
            e.add(
                "ends_on",
                Msg::new("结束日期不能早于开始日期", "The end date is before the start date"),
            );
        }
        let regions: Result<Vec<String>, Msg> = self.target_regions.iter().map(|r| codes::parse_division(r)).collect();
        let target_regions = e.take("target_regions", regions);
        let industries: Result<Vec<String>, Msg> = self
            .target_industries
            .iter()
            .map(|r| codes::parse_industry(r))
            .collect();
        let target_industries = e.take("target_industries", industries);
        let quota = match opt_text(&self.quota_per_county) {
            None => Some(None),
            Some(s) => e
                .take(
                    "quota_per_county",
                    s.parse::<i64>()
                        .ok()
                        .filter(|q| (1..=100_000).contains(q))
                        .ok_or_else(|| {
                            Msg::new(
                                format!("每县名额“{s}”无效，应为正整数"),
                                format!("“{s}” is not a valid quota (a positive whole number)"),
                            )
                        }),
                )
                .map(Some),
        };
        let description = e.take("description", input::optional_text(&self.description, 5000));
        if !e.is_empty() {
            return Err(e);
        }
        Ok(CampaignData {
            title: title.expect("checked"),
            organizer_id: organizer_id.expect("checked"),
            starts_on: starts_on.expect("checked"),
            ends_on: ends_on.expect("checked"),
            target_regions: target_regions.expect("checked"),
            target_industries: target_industries.expect("checked"),
            quota_per_county: quota.flatten(),
            description: description.flatten(),
        })
    }
}

/// One line of a campaign's coverage: demands collected in a county (or an industry) against the quota.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Coverage {
    pub code: String,
    pub name: String,
    pub demands: i64,
    pub quota: Option<i64>,
}

impl Coverage {
    /// Short of its quota (a county the campaign has not yet reached well enough).
    pub fn short(&self) -> bool {
        self.quota.is_some_and(|q| self.demands < q)
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct CampaignFilter {
    pub q: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub archived: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_campaign_names_its_bad_county_and_backwards_period() {
        let i = CampaignInput {
            title: Some("2026年度技术难题征集".into()),
            organizer_id: Some("1".into()),
            starts_on: Some("2026-03-01".into()),
            ends_on: Some("2026-02-01".into()),
            target_regions: vec!["999999".into()],
            quota_per_county: Some("0".into()),
            ..Default::default()
        };
        let e = i.validate().unwrap_err();
        assert!(e.get("ends_on").is_some());
        assert!(e.get("target_regions").is_some());
        assert!(e.get("quota_per_county").is_some());
    }
}
