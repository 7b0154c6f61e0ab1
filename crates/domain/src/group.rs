//! The coordination bodies of the cooperation (协调机构): the leading group (领导小组), the
//! coordination committee (协调委员会) and its office (办公室), the specialised working groups
//! (专门工作小组) and each county–college partnership's own small team (合作小组) — with their
//! remit, the body above them, and their members: a person, their post in the body, the
//! organisation they sit for and their term. `standing_in` says whether a member served in a
//! year and whether they left in it, which the office's roster reads.

use crate::input::{self, de_opt_string};
use crate::{FieldErrors, Msg, code_enum};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

code_enum!(
    GroupKind {
        Leading = "leading", "领导小组", "Leading group";
        Committee = "committee", "协调委员会", "Coordination committee";
        Office = "office", "办公室", "Office";
        Working = "working", "专门工作小组", "Working group";
        Partnership = "partnership", "合作小组", "Partnership team";
    }
);

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Group {
    pub id: i64,
    pub name: String,
    pub kind: GroupKind,
    /// The body this one sits under (the office under the committee, a working group under the
    /// leading group).
    pub parent_id: Option<i64>,
    /// A partnership team's county–college agreement.
    pub agreement_id: Option<i64>,
    /// What the body is for (职责).
    pub remit: Option<String>,
    pub established_on: Option<NaiveDate>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a form or a JSON body gives for a coordination body.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct GroupInput {
    #[schema(required, max_length = 200)]
    pub name: Option<String>,
    #[schema(required, value_type = Option<GroupKind>)]
    pub kind: Option<String>,
    /// Another body (never this one or one below it).
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub parent_id: Option<String>,
    /// Only a partnership team (`partnership`) names an agreement.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub agreement_id: Option<String>,
    #[schema(max_length = 5000)]
    pub remit: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub established_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupData {
    pub name: String,
    pub kind: GroupKind,
    pub parent_id: Option<i64>,
    pub agreement_id: Option<i64>,
    pub remit: Option<String>,
    pub established_on: Option<NaiveDate>,
}

impl GroupInput {
    pub fn from_record(g: &Group) -> Self {
        GroupInput {
            name: Some(g.name.clone()),
            kind: Some(g.kind.as_str().into()),
            parent_id: g.parent_id.map(|i| i.to_string()),
            agreement_id: g.agreement_id.map(|i| i.to_string()),
            remit: g.remit.clone(),
            established_on: g.established_on.map(|d| d.to_string()),
        }
    }

    pub fn validate(&self) -> Result<GroupData, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.take("name", input::text(&self.name, 200));
        let kind = e.take(
            "kind",
            input::code(
                &self.kind,
                GroupKind::parse,
                GroupKind::ALL,
                GroupKind::label,
                GroupKind::as_str,
            ),
        );
        let parent_id = e.take("parent_id", input::optional_id(&self.parent_id));
        let agreement_id = e.take("agreement_id", input::optional_id(&self.agreement_id));
        let remit = e.take("remit", input::optional_text(&self.remit, 5000));
        let established_on = e.take("established_on", input::optional_date(&self.established_on));
        if let (Some(k), Some(Some(_))) = (kind, agreement_id)
            && k != GroupKind::Partnership
        {
            e.add(
                "agreement_id",
                Msg::new(
                    "只有合作小组（县院合作）可以关联合作协议",
                    "Only a partnership team names an agreement",
                ),
            );
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(GroupData {
            name: name.expect("checked"),
            kind: kind.expect("checked"),
            parent_id: parent_id.flatten(),
            agreement_id: agreement_id.flatten(),
            remit: remit.flatten(),
            established_on: established_on.flatten(),
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct GroupFilter {
    /// Part of the name.
    pub q: Option<String>,
    pub kind: Option<String>,
    /// Bodies directly under this one.
    #[serde(deserialize_with = "de_opt_string")]
    pub parent_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub agreement_id: Option<String>,
    /// Bodies this person sits (or sat) in.
    #[serde(deserialize_with = "de_opt_string")]
    pub person_id: Option<String>,
    /// Bodies with a member sitting for this organisation.
    #[serde(deserialize_with = "de_opt_string")]
    pub organization_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub archived: Option<String>,
}

/// One term of a person in a body.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GroupMember {
    pub id: i64,
    pub group_id: i64,
    pub person_id: i64,
    pub person_name: String,
    /// The organisation they sit for (their own when not given).
    pub organization_id: Option<i64>,
    pub organization_name: Option<String>,
    /// Their post in the body (组长, 副组长, 成员, 联络员 …).
    pub post: String,
    pub from_on: Option<NaiveDate>,
    /// Set when they left (or will leave).
    pub to_on: Option<NaiveDate>,
    /// Order of listing within the body (first added first).
    pub position: i32,
}

impl GroupMember {
    /// Whether the member still sits in the body on `day`.
    pub fn current(&self, day: NaiveDate) -> bool {
        self.to_on.is_none_or(|t| t >= day) && self.from_on.is_none_or(|f| f <= day)
    }
}

/// What a form or a JSON body gives to add a member (one term; a person may serve again later).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MemberInput {
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required, value_type = Option<i64>, minimum = 1)]
    pub person_id: Option<String>,
    /// The organisation they sit for; the person's own when not given.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub organization_id: Option<String>,
    /// Their post in the body (组长, 副组长, 成员, 联络员 …).
    #[schema(required, max_length = 100)]
    pub post: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub from_on: Option<String>,
    /// Not before `from_on`.
    #[schema(value_type = Option<String>, format = Date)]
    pub to_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MemberData {
    pub person_id: i64,
    pub organization_id: Option<i64>,
    pub post: String,
    pub from_on: Option<NaiveDate>,
    pub to_on: Option<NaiveDate>,
}

/// The refusal of a term that ends before it begins, on `to_on`.
pub fn check_term(from_on: Option<NaiveDate>, to_on: Option<NaiveDate>) -> Result<(), Msg> {
    match (from_on, to_on) {
        (Some(f), Some(t)) if t < f => Err(Msg::new(
            format!("任期结束日期（{t}）不能早于开始日期（{f}）"),
            format!("The term cannot end ({t}) before it begins ({f})"),
        )),
        _ => Ok(()),
    }
}

impl MemberInput {
    pub fn validate(&self) -> Result<MemberData, FieldErrors> {
        let mut e = FieldErrors::new();
        let person_id = e.take("person_id", input::id(&self.person_id));
        let organization_id = e.take("organization_id", input::optional_id(&self.organization_id));
        let post = e.take("post", input::text(&self.post, 100));
        let from_on = e.take("from_on", input::optional_date(&self.from_on));
        let to_on = e.take("to_on", input::optional_date(&self.to_on));
        if let (Some(f), Some(t)) = (from_on, to_on)
            && let Err(m) = check_term(f, t)
        {
            e.add("to_on", m);
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(MemberData {
            person_id: person_id.expect("checked"),
            organization_id: organization_id.flatten(),
            post: post.expect("checked"),
            from_on: from_on.flatten(),
            to_on: to_on.flatten(),
        })
    }
}

/// Ends a member's term: the day they left.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EndTermInput {
    /// Not before the term's start.
    #[schema(required, value_type = Option<String>, format = Date)]
    pub to_on: Option<String>,
}

impl EndTermInput {
    pub fn validate(&self) -> Result<NaiveDate, FieldErrors> {
        let mut e = FieldErrors::new();
        let to_on = e.take("to_on", input::date(&self.to_on));
        match to_on {
            Some(d) if e.is_empty() => Ok(d),
            _ => Err(e),
        }
    }
}

/// How a term stands in a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Serving in the year and still serving at its end.
    Serving,
    /// Served in the year and left in it (the term ends within the year).
    Left,
}

/// Whether a term (`from_on`…`to_on`, open at either end) touches `year`, and if so whether it
/// ended within it; `None` when it lies wholly before or after the year.
pub fn standing_in(from_on: Option<NaiveDate>, to_on: Option<NaiveDate>, year: i32) -> Option<Standing> {
    let first = NaiveDate::from_ymd_opt(year, 1, 1)?;
    let last = NaiveDate::from_ymd_opt(year, 12, 31)?;
    if from_on.is_some_and(|f| f > last) || to_on.is_some_and(|t| t < first) {
        return None;
    }
    match to_on {
        Some(t) if t <= last => Some(Standing::Left),
        _ => Some(Standing::Serving),
    }
}

/// One body in the roster of a year: who served in it and who left in that year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RosterBody {
    pub group_id: i64,
    pub group_name: String,
    pub kind: GroupKind,
    /// Serving in the year and still serving at its end.
    pub serving: Vec<GroupMember>,
    /// Left in the year.
    pub left: Vec<GroupMember>,
}

/// `/api/v1/groups/roster?year=Y`: every body with someone serving in year Y, in kind order.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Roster {
    pub year: i32,
    pub bodies: Vec<RosterBody>,
    /// People serving in some body (each counted once).
    pub serving_people: i64,
    /// People who left a body in the year.
    pub left_people: i64,
}

/// The bodies a person sits or sat in: the body and the term.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PersonGroup {
    pub group: Group,
    pub member: GroupMember,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_body_needs_a_name_and_a_kind_of_the_five() {
        let e = GroupInput::default().validate().unwrap_err();
        assert!(e.get("name").is_some() && e.get("kind").is_some());
        let e = GroupInput {
            name: Some("产业合作专门工作小组".into()),
            kind: Some("team".into()),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert!(e.get("kind").unwrap().zh.contains("领导小组"));
        let g = GroupInput {
            name: Some("产业合作专门工作小组".into()),
            kind: Some("working".into()),
            parent_id: Some("3".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!((g.kind, g.parent_id), (GroupKind::Working, Some(3)));
    }

    #[test]
    fn only_a_partnership_team_names_an_agreement() {
        let input = |kind: &str| GroupInput {
            name: Some("江山市—化工学院合作小组".into()),
            kind: Some(kind.into()),
            agreement_id: Some("7".into()),
            ..Default::default()
        };
        assert_eq!(input("partnership").validate().unwrap().agreement_id, Some(7));
        let e = input("working").validate().unwrap_err();
        assert_eq!(
            e.get("agreement_id").unwrap().zh,
            "只有合作小组（县院合作）可以关联合作协议"
        );
    }

    #[test]
    fn a_term_ending_before_it_begins_is_refused_on_to_on() {
        let e = MemberInput {
            person_id: Some("1".into()),
            post: Some("组长".into()),
            from_on: Some("2026-03-01".into()),
            to_on: Some("2026-02-28".into()),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            e.get("to_on").unwrap().zh,
            "任期结束日期（2026-02-28）不能早于开始日期（2026-03-01）"
        );
        assert!(check_term(Some(d("2026-03-01")), Some(d("2026-03-01"))).is_ok());
        let e = MemberInput::default().validate().unwrap_err();
        assert!(e.get("person_id").is_some() && e.get("post").is_some());
    }

    #[test]
    fn a_term_stands_in_a_year_as_serving_left_or_not_at_all() {
        let y = 2026;
        assert_eq!(standing_in(None, None, y), Some(Standing::Serving));
        assert_eq!(standing_in(Some(d("2026-12-31")), None, y), Some(Standing::Serving));
        assert_eq!(standing_in(Some(d("2027-01-01")), None, y), None);
        assert_eq!(standing_in(None, Some(d("2025-12-31")), y), None);
        assert_eq!(standing_in(None, Some(d("2026-01-01")), y), Some(Standing::Left));
        assert_eq!(
            standing_in(Some(d("2024-01-01")), Some(d("2026-12-31")), y),
            Some(Standing::Left)
        );
        assert_eq!(
            standing_in(Some(d("2024-01-01")), Some(d("2027-01-01")), y),
            Some(Standing::Serving)
        );
    }

    #[test]
    fn ending_a_term_needs_a_date() {
        let e = EndTermInput::default().validate().unwrap_err();
        assert!(e.get("to_on").is_some());
        assert_eq!(
            EndTermInput {
                to_on: Some("2026-05-31".into())
            }
            .validate()
            .unwrap(),
            d("2026-05-31")
        );
    }
}
