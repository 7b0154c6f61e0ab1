//! Innovation platforms built together (共建平台): joint R&D centres, key labs, pilot bases,
//! workstations… each with its level and approval, its host organisations (first named first), the
//! agreement or project that built it, its status, the people stationed there and a graded
//! evaluation each year (whose file is an attachment of kind `platform_evaluation`).

use crate::input::{self, de_list, de_opt_string, opt_text};
use crate::{FieldErrors, Msg, code_enum};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

code_enum!(
    PlatformKind {
        RdCentre = "rd_centre", "联合研发中心", "Joint R&D centre";
        KeyLab = "key_lab", "重点实验室", "Key laboratory";
        PilotBase = "pilot_base", "中试基地", "Pilot base";
        PostdocStation = "postdoc_station", "博士后工作站", "Postdoctoral workstation";
        AcademicianStation = "academician_station", "院士工作站", "Academician workstation";
        IndustryInstitute = "industry_institute", "产业研究院", "Industrial research institute";
        TransferCentre = "transfer_centre", "技术转移中心", "Technology-transfer centre";
        PracticeBase = "practice_base", "实践基地", "Practice base";
    }
);

code_enum!(
    PlatformLevel {
        National = "national", "国家级", "National";
        Provincial = "provincial", "省级", "Provincial";
        City = "city", "市级", "City";
        County = "county", "县级", "County";
    }
);

code_enum!(
    /// planning → built → accredited → closed (closing is possible from any open status).
    PlatformStatus {
        Planning = "planning", "筹建中", "Being set up";
        Built = "built", "已建成", "Built";
        Accredited = "accredited", "已认定", "Accredited";
        Closed = "closed", "已撤销", "Closed";
    }
);

code_enum!(
    EvaluationGrade {
        Excellent = "excellent", "优秀", "Excellent";
        Good = "good", "良好", "Good";
        Pass = "pass", "合格", "Pass";
        Fail = "fail", "不合格", "Fail";
    }
);

impl PlatformStatus {
    /// The statuses a platform may move to from this one (staying put is always allowed).
    pub fn next(self) -> &'static [PlatformStatus] {
        use PlatformStatus::*;
        match self {
            Planning => &[Built, Closed],
            Built => &[Accredited, Closed],
            Accredited => &[Closed],
            Closed => &[],
        }
    }
}

/// Checks a platform's status change.
pub fn transition(from: PlatformStatus, to: PlatformStatus) -> Result<PlatformStatus, Msg> {
    if from == to || from.next().contains(&to) {
        Ok(to)
    } else {
        Err(Msg::new(
            format!("平台状态不能从“{}”变为“{}”", from.label().zh, to.label().zh),
            format!("A platform cannot go from {} to {}", from.as_str(), to.as_str()),
        ))
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Platform {
    pub id: i64,
    pub name: String,
    pub kind: PlatformKind,
    pub level: PlatformLevel,
    /// The approving body (认定部门).
    pub approved_by: Option<String>,
    /// The approval's document number (认定文号).
    pub approval_doc: Option<String>,
    /// Organisation ids of the hosts, first named first (one or more).
    pub host_ids: Vec<i64>,
    pub agreement_id: Option<i64>,
    pub project_id: Option<i64>,
    pub established_on: Option<NaiveDate>,
    pub status: PlatformStatus,
    pub summary: Option<String>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a form or a JSON body gives for a platform.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PlatformInput {
    #[schema(required, max_length = 200)]
    pub name: Option<String>,
    #[schema(required, value_type = Option<PlatformKind>)]
    pub kind: Option<String>,
    #[schema(required, value_type = Option<PlatformLevel>)]
    pub level: Option<String>,
    #[schema(max_length = 200)]
    pub approved_by: Option<String>,
    #[schema(max_length = 100)]
    pub approval_doc: Option<String>,
    /// Organisation ids of the hosts, first named first: one or more (a list, or one string
    /// separated by commas).
    #[serde(deserialize_with = "de_list")]
    #[schema(required, value_type = Vec<i64>, min_items = 1)]
    pub host_ids: Vec<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub agreement_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub project_id: Option<String>,
    /// Not in the future.
    #[schema(value_type = Option<String>, format = Date)]
    pub established_on: Option<String>,
    /// `planning` when not given; changes follow planning → built → accredited → closed.
    #[schema(value_type = Option<PlatformStatus>, default = "planning")]
    pub status: Option<String>,
    #[schema(max_length = 5000)]
    pub summary: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlatformData {
    pub name: String,
    pub kind: PlatformKind,
    pub level: PlatformLevel,
    pub approved_by: Option<String>,
    pub approval_doc: Option<String>,
    pub host_ids: Vec<i64>,
    pub agreement_id: Option<i64>,
    pub project_id: Option<i64>,
    pub established_on: Option<NaiveDate>,
    pub status: PlatformStatus,
    pub summary: Option<String>,
}

impl PlatformInput {
    pub fn from_record(p: &Platform) -> Self {
        PlatformInput {
            name: Some(p.name.clone()),
            kind: Some(p.kind.as_str().into()),
            level: Some(p.level.as_str().into()),
            approved_by: p.approved_by.clone(),
            approval_doc: p.approval_doc.clone(),
            host_ids: p.host_ids.iter().map(|i| i.to_string()).collect(),
            agreement_id: p.agreement_id.map(|i| i.to_string()),
            project_id: p.project_id.map(|i| i.to_string()),
            established_on: p.established_on.map(|d| d.to_string()),
            status: Some(p.status.as_str().into()),
            summary: p.summary.clone(),
        }
    }

    pub fn validate(&self) -> Result<PlatformData, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.take("name", input::text(&self.name, 200));
        let kind = e.take(
            "kind",
            input::code(
                &self.kind,
                PlatformKind::parse,
                PlatformKind::ALL,
                PlatformKind::label,
                PlatformKind::as_str,
            ),
        );
        let level = e.take(
            "level",
            input::code(
                &self.level,
                PlatformLevel::parse,
                PlatformLevel::ALL,
                PlatformLevel::label,
                PlatformLevel::as_str,
            ),
        );
        let approved_by = e.take("approved_by", input::optional_text(&self.approved_by, 200));
        let approval_doc = e.take("approval_doc", input::optional_text(&self.approval_doc, 100));
        let host_ids = e.take("host_ids", input::ids(&self.host_ids));
        if host_ids.as_ref().is_some_and(|h| h.is_empty()) {
            e.add(
                "host_ids",
                Msg::new("请至少选择一个依托单位", "Name at least one host organisation"),
            );
        }
        let agreement_id = e.take("agreement_id", input::optional_id(&self.agreement_id));
        let project_id = e.take("project_id", input::optional_id(&self.project_id));
        let established_on = e.take("established_on", input::optional_date(&self.established_on));
        let status = match opt_text(&self.status) {
            None => Some(PlatformStatus::Planning),
            Some(_) => e.take(
                "status",
                input::code(
                    &self.status,
                    PlatformStatus::parse,
                    PlatformStatus::ALL,
                    PlatformStatus::label,
                    PlatformStatus::as_str,
                ),
            ),
        };
        let summary = e.take("summary", input::optional_text(&self.summary, 5000));
        if !e.is_empty() {
            return Err(e);
        }
        Ok(PlatformData {
            name: name.expect("checked"),
            kind: kind.expect("checked"),
            level: level.expect("checked"),
            approved_by: approved_by.flatten(),
            approval_doc: approval_doc.flatten(),
            host_ids: host_ids.expect("checked"),
            agreement_id: agreement_id.flatten(),
            project_id: project_id.flatten(),
            established_on: established_on.flatten(),
            status: status.expect("checked"),
            summary: summary.flatten(),
        })
    }
}

/// A platform is established on a day that has come: never after `today`.
pub fn check_established(on: Option<NaiveDate>, today: NaiveDate) -> Result<(), Msg> {
    match on {
        Some(d) if d > today => Err(Msg::new(
            format!("成立日期不能晚于今天（{today}）"),
            format!("The platform cannot have been established after today ({today})"),
        )),
        _ => Ok(()),
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct PlatformFilter {
    /// Part of the name.
    pub q: Option<String>,
    pub kind: Option<String>,
    pub level: Option<String>,
    pub status: Option<String>,
    /// A county's division code (e.g. 330881): platforms with a host there.
    pub county: Option<String>,
    /// An organisation id (a college, a county): platforms with a host in its subtree.
    #[serde(deserialize_with = "de_opt_string")]
    pub college: Option<String>,
    /// A host organisation's id.
    #[serde(deserialize_with = "de_opt_string")]
    pub organization_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub agreement_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub project_id: Option<String>,
    /// Platforms where this person is stationed.
    #[serde(deserialize_with = "de_opt_string")]
    pub person_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub archived: Option<String>,
}

/// One row of `/platforms/counts`: a group's code, its name and how many platforms it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CountRow {
    pub key: String,
    pub label: String,
    pub count: i64,
}

/// A person stationed at a platform.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlatformPerson {
    pub platform_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub role: Option<String>,
    pub from_on: Option<NaiveDate>,
    pub to_on: Option<NaiveDate>,
}

/// What a form or a JSON body gives to station a person at a platform (again: replaces the role
/// and dates).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StationInput {
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required, value_type = Option<i64>, minimum = 1)]
    pub person_id: Option<String>,
    /// Their role there (主任, 驻站博士…).
    #[schema(max_length = 100)]
    pub role: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub from_on: Option<String>,
    /// Not before `from_on`.
    #[schema(value_type = Option<String>, format = Date)]
    pub to_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StationData {
    pub person_id: i64,
    pub role: Option<String>,
    pub from_on: Option<NaiveDate>,
    pub to_on: Option<NaiveDate>,
}

impl StationInput {
    pub fn validate(&self) -> Result<StationData, FieldErrors> {
        let mut e = FieldErrors::new();
        let person_id = e.take("person_id", input::id(&self.person_id));
        let role = e.take("role", input::optional_text(&self.role, 100));
        let from_on = e.take("from_on", input::optional_date(&self.from_on));
        let to_on = e.take("to_on", input::optional_date(&self.to_on));
        if let (Some(Some(f)), Some(Some(t))) = (from_on, to_on)
            && t < f
        {
            e.add(
                "to_on",
                Msg::new("离站日期不能早于进站日期", "The end cannot come before the start"),
            );
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(StationData {
            person_id: person_id.expect("checked"),
            role: role.flatten(),
            from_on: from_on.flatten(),
            to_on: to_on.flatten(),
        })
    }
}

/// A platform's evaluation for one year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlatformEvaluation {
    pub id: i64,
    pub platform_id: i64,
    pub year: i32,
    pub grade: EvaluationGrade,
    pub evaluated_by: Option<String>,
    pub evaluated_on: Option<NaiveDate>,
    pub comment: Option<String>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a form or a JSON body gives for an evaluation (one per platform and year).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EvaluationInput {
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required, value_type = Option<i32>, minimum = 1990, maximum = 2100)]
    pub year: Option<String>,
    #[schema(required, value_type = Option<EvaluationGrade>)]
    pub grade: Option<String>,
    #[schema(max_length = 200)]
    pub evaluated_by: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub evaluated_on: Option<String>,
    #[schema(max_length = 5000)]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationData {
    pub year: i32,
    pub grade: EvaluationGrade,
    pub evaluated_by: Option<String>,
    pub evaluated_on: Option<NaiveDate>,
    pub comment: Option<String>,
}

impl EvaluationInput {
    pub fn from_record(r: &PlatformEvaluation) -> Self {
        EvaluationInput {
            year: Some(r.year.to_string()),
            grade: Some(r.grade.as_str().into()),
            evaluated_by: r.evaluated_by.clone(),
            evaluated_on: r.evaluated_on.map(|d| d.to_string()),
            comment: r.comment.clone(),
        }
    }

    pub fn validate(&self) -> Result<EvaluationData, FieldErrors> {
        let mut e = FieldErrors::new();
        let year = e.take("year", input::year(&self.year));
        let grade = e.take(
            "grade",
            input::code(
                &self.grade,
                EvaluationGrade::parse,
                EvaluationGrade::ALL,
                EvaluationGrade::label,
                EvaluationGrade::as_str,
            ),
        );
        let evaluated_by = e.take("evaluated_by", input::optional_text(&self.evaluated_by, 200));
        let evaluated_on = e.take("evaluated_on", input::optional_date(&self.evaluated_on));
        let comment = e.take("comment", input::optional_text(&self.comment, 5000));
        if let (Some(y), Some(Some(d))) = (year, evaluated_on)
            && chrono::Datelike::year(&d) < y
        {
            e.add(
                "evaluated_on",
                Msg::new(
                    format!("{y} 年度的考核不能在 {d} 之前进行"),
                    format!("The {y} evaluation cannot be made before that year ({d})"),
                ),
            );
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(EvaluationData {
            year: year.expect("checked"),
            grade: grade.expect("checked"),
            evaluated_by: evaluated_by.flatten(),
            evaluated_on: evaluated_on.flatten(),
            comment: comment.flatten(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_platform_machine_allows_exactly_these_steps_and_staying_put() {
        use PlatformStatus::*;
        let allowed = [
            (Planning, Built),
            (Planning, Closed),
            (Built, Accredited),
            (Built, Closed),
            (Accredited, Closed),
        ];
        for from in PlatformStatus::ALL {
            for to in PlatformStatus::ALL {
                let want = from == to || allowed.contains(&(*from, *to));
                assert_eq!(transition(*from, *to).is_ok(), want, "{from:?} → {to:?}");
            }
        }
        assert!(transition(Closed, Planning).unwrap_err().zh.contains("已撤销"));
    }

    #[test]
    fn a_platform_needs_a_name_a_kind_a_level_and_a_host() {
        let e = PlatformInput::default().validate().unwrap_err();
        for f in ["name", "kind", "level", "host_ids"] {
            assert!(e.get(f).is_some(), "{f}");
        }
        assert_eq!(e.get("host_ids").unwrap().zh, "请至少选择一个依托单位");
    }

    #[test]
    fn hosts_keep_their_order_and_a_new_platform_is_being_set_up() {
        let d = PlatformInput {
            name: Some("衢州氟硅新材料联合研发中心".into()),
            kind: Some("rd_centre".into()),
            level: Some("city".into()),
            host_ids: vec!["7,3".into(), "7".into()],
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(d.host_ids, vec![7, 3]);
        assert_eq!(d.status, PlatformStatus::Planning);
    }

    #[test]
    fn a_platform_established_tomorrow_is_refused() {
        let today: NaiveDate = "2026-03-01".parse().unwrap();
        assert!(check_established(Some(today), today).is_ok());
        assert!(check_established(today.succ_opt(), today).is_err());
    }

    #[test]
    fn an_evaluation_needs_a_year_and_a_grade_and_comes_after_its_year_starts() {
        let e = EvaluationInput::default().validate().unwrap_err();
        assert!(e.get("year").is_some() && e.get("grade").is_some());
        let e = EvaluationInput {
            year: Some("2026".into()),
            grade: Some("good".into()),
            evaluated_on: Some("2025-12-30".into()),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert!(e.get("evaluated_on").is_some());
    }
}
