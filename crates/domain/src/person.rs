//! People (人员) of any organisation; an expert (专家) also keeps a profile: discipline, research
//! fields, keywords, biography and availability.

use crate::input::{self, de_list, de_opt_string, opt_text};
use crate::{FieldErrors, Msg, code_enum};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

code_enum!(
    /// Whether an expert can take on more work.
    Availability {
        Available = "available", "可承接", "Available";
        Limited = "limited", "精力有限", "Limited";
        Unavailable = "unavailable", "暂不承接", "Unavailable";
    }
);

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Person {
    pub id: i64,
    pub organization_id: i64,
    pub name: String,
    /// 职称 / 职务, e.g. 教授, 副局长.
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub is_expert: bool,
    pub expert: Option<ExpertProfile>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ExpertProfile {
    pub discipline: Option<String>,
    pub research_fields: Option<String>,
    pub keywords: Vec<String>,
    pub bio: Option<String>,
    pub availability: Availability,
    /// The expert opted in to the public portal's list of experts (name, organisation, title and
    /// fields only — never phone, email or the biography).
    pub public_profile: bool,
}

/// What a form or a JSON body gives for a person; the expert fields count only with `is_expert`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PersonInput {
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required, value_type = Option<i64>, minimum = 1)]
    pub organization_id: Option<String>,
    #[schema(required, max_length = 100)]
    pub name: Option<String>,
    /// 职称 / 职务, e.g. 教授, 副局长.
    #[schema(max_length = 100)]
    pub title: Option<String>,
    /// Digits with `+ - ( )` and spaces, at least five digits.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(max_length = 40, pattern = r"^[0-9+() -]+$")]
    pub phone: Option<String>,
    #[schema(format = Email, max_length = 200)]
    pub email: Option<String>,
    /// `true` (or the form's `on`) when the person is an expert.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<bool>, default = false)]
    pub is_expert: Option<String>,
    #[schema(max_length = 100)]
    pub discipline: Option<String>,
    #[schema(max_length = 1000)]
    pub research_fields: Option<String>,
    /// A list, or one string separated by commas or 、; at most 50, each at most 50 characters.
    #[serde(deserialize_with = "de_list")]
    #[schema(max_items = 50)]
    pub keywords: Vec<String>,
    #[schema(max_length = 5000)]
    pub bio: Option<String>,
    /// An expert's availability; `available` when not given.
    #[schema(value_type = Option<Availability>, default = "available")]
    pub availability: Option<String>,
    /// `true` (or the form's `on`): an expert shown on the public portal (公开专家名录), by their
    /// own choice or the office's.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<bool>, default = false)]
    pub public_profile: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PersonData {
    pub organization_id: i64,
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub expert: Option<ExpertProfile>,
}

pub fn truthy(v: &Option<String>) -> bool {
    matches!(opt_text(v), Some("true" | "on" | "1" | "yes"))
}

/// Splits keywords written with any of the separators Chinese users type.
pub fn split_keywords(items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        for k in item.split([',', '，', '、', ';', '；', '\n']) {
            let k = k.trim();
            if !k.is_empty() && !out.iter().any(|o| o == k) {
                out.push(k.to_string());
            }
        }
    }
    out
}

impl PersonInput {
    pub fn from_record(p: &Person) -> Self {
        let x = p.expert.as_ref();
        PersonInput {
            organization_id: Some(p.organization_id.to_string()),
            name: Some(p.name.clone()),
            title: p.title.clone(),
            phone: p.phone.clone(),
            email: p.email.clone(),
            is_expert: Some(p.is_expert.to_string()),
            discipline: x.and_then(|x| x.discipline.clone()),
            research_fields: x.and_then(|x| x.research_fields.clone()),
            keywords: x.map(|x| vec![x.keywords.join("、")]).unwrap_or_default(),
            bio: x.and_then(|x| x.bio.clone()),
            availability: x.map(|x| x.availability.as_str().to_string()),
            public_profile: x.map(|x| x.public_profile.to_string()),
        }
    }

    pub fn keywords_text(&self) -> String {
        split_keywords(&self.keywords).join("、")
    }

    pub fn validate(&self) -> Result<PersonData, FieldErrors> {
        let mut e = FieldErrors::new();
        let organization_id = e.take("organization_id", input::id(&self.organization_id));
        let name = e.take("name", input::text(&self.name, 100));
        let title = e.take("title", input::optional_text(&self.title, 100));
        let phone = e.take("phone", input::phone(&self.phone));
        let email = e.take("email", input::email(&self.email));
        let expert = if truthy(&self.is_expert) {
            let discipline = e.take("discipline", input::optional_text(&self.discipline, 100));
            let research_fields = e.take("research_fields", input::optional_text(&self.research_fields, 1000));
            let bio = e.take("bio", input::optional_text(&self.bio, 5000));
            let keywords = split_keywords(&self.keywords);
            if keywords.len() > 50 || keywords.iter().any(|k| k.chars().count() > 50) {
                e.add(
                    "keywords",
                    Msg::new(
                        "关键词最多 50 个，每个不超过 50 字",
                        "At most 50 keywords of at most 50 characters each",
                    ),
                );
            }
            let availability = match opt_text(&self.availability) {
                None => Some(Availability::Available),
                Some(_) => e.take(
                    "availability",
                    input::code(
                        &self.availability,
                        Availability::parse,
                        Availability::ALL,
                        Availability::label,
                        Availability::as_str,
                    ),
                ),
            };
            Some((discipline, research_fields, bio, keywords, availability))
        } else {
            None
        };
        if !e.is_empty() {
            return Err(e);
        }
        Ok(PersonData {
            organization_id: organization_id.expect("checked"),
            name: name.expect("checked"),
            title: title.flatten(),
            phone: phone.flatten(),
            email: email.flatten(),
            expert: expert.map(|(d, r, b, k, a)| ExpertProfile {
                discipline: d.flatten(),
                research_fields: r.flatten(),
                bio: b.flatten(),
                keywords: k,
                availability: a.expect("checked"),
                public_profile: truthy(&self.public_profile),
            }),
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct PersonFilter {
    /// Part of the name, title, discipline or keywords.
    pub q: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub organization_id: Option<String>,
    /// `true` for experts only.
    #[serde(deserialize_with = "de_opt_string")]
    pub is_expert: Option<String>,
    pub discipline: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub archived: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_split_on_chinese_and_western_separators_without_duplicates() {
        let k = split_keywords(&["氟硅材料、有机硅，光伏;光伏".into(), "催化".into()]);
        assert_eq!(k, vec!["氟硅材料", "有机硅", "光伏", "催化"]);
    }

    #[test]
    fn an_expert_profile_is_kept_only_for_experts() {
        let mut i = PersonInput {
            organization_id: Some("3".into()),
            name: Some("王教授".into()),
            discipline: Some("化学工程".into()),
            ..Default::default()
        };
        assert!(i.validate().unwrap().expert.is_none());
        i.is_expert = Some("on".into());
        let d = i.validate().unwrap();
        assert_eq!(d.expert.unwrap().discipline.as_deref(), Some("化学工程"));
    }

    #[test]
    fn a_person_needs_an_organisation_and_a_name() {
        let e = PersonInput::default().validate().unwrap_err();
        assert!(e.get("organization_id").is_some() && e.get("name").is_some());
    }
}
