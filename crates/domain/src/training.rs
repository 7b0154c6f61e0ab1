//! Trainings and practice (培训实践): training classes (培训班: young cadres, enterprise managers,
//! rural planning, 科技乡镇长), lectures and forums (大讲坛), and students' practice (三下乡,
//! internships, practice bases) — organiser, dates, place, hours, the county served, the
//! evaluation, and the participants (name, unit, post, phone, attended, hours attended), most often
//! imported from a spreadsheet. People trained count by county (a participant's unit's county, or
//! the county the training served) and by kind.

use crate::input::{self, de_opt_string, opt_text};
use crate::{FieldErrors, Msg, code_enum};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

code_enum!(
    #[derive(Default)]
    TrainingKind {
        #[default]
        Class = "class", "培训班", "Training class";
        Lecture = "lecture", "讲座", "Lecture";
        Forum = "forum", "论坛/大讲坛", "Forum";
        Practice = "practice", "社会实践（三下乡）", "Social practice (三下乡)";
        Internship = "internship", "实习", "Internship";
        Base = "base", "实践基地活动", "Practice-base activity";
    }
);

code_enum!(
    #[derive(Default)]
    TrainingStatus {
        #[default]
        Planned = "planned", "计划中", "Planned";
        Held = "held", "已举办", "Held";
        Cancelled = "cancelled", "已取消", "Cancelled";
    }
);

/// The audiences and themes the seed names, offered in the form (any other text is allowed).
pub const AUDIENCES: &[&str] = &[
    "青年干部",
    "企业经营管理人员",
    "新农村规划",
    "科技乡镇长",
    "专业技术人员",
    "大学生",
];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Training {
    pub id: i64,
    pub title: String,
    pub kind: TrainingKind,
    /// The audience or theme (青年干部, 企业经营管理人员, 新农村规划, 科技乡镇长…).
    pub audience: Option<String>,
    /// The organising organisation, whose scope the training falls in.
    pub organizer_id: i64,
    pub co_organizer_id: Option<i64>,
    pub start_on: NaiveDate,
    pub end_on: NaiveDate,
    pub place: Option<String>,
    /// Class hours (学时) of the whole training.
    pub hours: Option<f64>,
    /// The division code of the county (or city) it served, e.g. 330881.
    pub county_code: Option<String>,
    pub planned_headcount: Option<i64>,
    /// The participants' average score, 1–5.
    pub evaluation_score: Option<f64>,
    pub evaluation_summary: Option<String>,
    pub status: TrainingStatus,
    pub summary: Option<String>,
    /// Participants on the list.
    pub participant_count: i64,
    /// Participants who attended.
    pub attended_count: i64,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a form or a JSON body gives for a training.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TrainingInput {
    #[schema(required, max_length = 200)]
    pub title: Option<String>,
    #[schema(required, value_type = Option<TrainingKind>)]
    pub kind: Option<String>,
    #[schema(max_length = 100, example = "科技乡镇长")]
    pub audience: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required, value_type = Option<i64>, minimum = 1)]
    pub organizer_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub co_organizer_id: Option<String>,
    #[schema(required, value_type = Option<String>, format = Date)]
    pub start_on: Option<String>,
    /// Not before `start_on`; the start date when not given.
    #[schema(value_type = Option<String>, format = Date)]
    pub end_on: Option<String>,
    #[schema(max_length = 200)]
    pub place: Option<String>,
    /// Class hours, a non-negative number (at most one decimal).
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<f64>, minimum = 0, example = 32)]
    pub hours: Option<String>,
    /// A division code (330881).
    #[schema(example = "330881")]
    pub county_code: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub planned_headcount: Option<String>,
    /// Average score, 1–5.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<f64>, minimum = 1, maximum = 5)]
    pub evaluation_score: Option<String>,
    #[schema(max_length = 5000)]
    pub evaluation_summary: Option<String>,
    /// `planned` when not given.
    #[schema(value_type = Option<TrainingStatus>, default = "planned")]
    pub status: Option<String>,
    #[schema(max_length = 5000)]
    pub summary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrainingData {
    pub title: String,
    pub kind: TrainingKind,
    pub audience: Option<String>,
    pub organizer_id: i64,
    pub co_organizer_id: Option<i64>,
    pub start_on: NaiveDate,
    pub end_on: NaiveDate,
    pub place: Option<String>,
    pub hours: Option<f64>,
    pub county_code: Option<String>,
    pub planned_headcount: Option<i64>,
    pub evaluation_score: Option<f64>,
    pub evaluation_summary: Option<String>,
    pub status: TrainingStatus,
    pub summary: Option<String>,
}

/// A number of hours: non-negative, at most 1000, at most one decimal (1.5 学时).
pub fn parse_hours(s: &str) -> Result<f64, Msg> {
    let bad = || {
        Msg::new(
            format!("学时“{s}”无效：应为 0–1000 之间的数字，最多一位小数"),
            format!("“{s}” is not a valid number of hours (0–1000, at most one decimal)"),
        )
    };
    let t = s.trim();
    let h: f64 = t.parse().map_err(|_| bad())?;
    let one_decimal = t.split_once('.').is_none_or(|(_, d)| d.len() <= 1);
    if !h.is_finite() || !(0.0..=1000.0).contains(&h) || !one_decimal {
        return Err(bad());
    }
    Ok(h)
}

fn opt_hours(v: &Option<String>) -> Result<Option<f64>, Msg> {
    opt_text(v).map(parse_hours).transpose()
}

/// Shows hours without a needless ".0": 32, 1.5.
pub fn show_hours(h: f64) -> String {
    if h.fract() == 0.0 {
        format!("{h:.0}")
    } else {
        format!("{h:.1}")
    }
}

impl TrainingInput {
    pub fn from_record(t: &Training) -> Self {
        TrainingInput {
            title: Some(t.title.clone()),
            kind: Some(t.kind.as_str().into()),
            audience: t.audience.clone(),
            organizer_id: Some(t.organizer_id.to_string()),
            co_organizer_id: t.co_organizer_id.map(|i| i.to_string()),
            start_on: Some(t.start_on.to_string()),
            end_on: Some(t.end_on.to_string()),
            place: t.place.clone(),
            hours: t.hours.map(show_hours),
            county_code: t.county_code.clone(),
            planned_headcount: t.planned_headcount.map(|n| n.to_string()),
            evaluation_score: t.evaluation_score.map(|s| format!("{s}")),
            evaluation_summary: t.evaluation_summary.clone(),
            status: Some(t.status.as_str().into()),
            summary: t.summary.clone(),
        }
    }

    pub fn validate(&self) -> Result<TrainingData, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = e.take("title", input::text(&self.title, 200));
        let kind = e.take(
            "kind",
            input::code(
                &self.kind,
                TrainingKind::parse,
                TrainingKind::ALL,
                TrainingKind::label,
                TrainingKind::as_str,
            ),
        );
        let audience = e.take("audience", input::optional_text(&self.audience, 100)).flatten();
        let organizer_id = e.take("organizer_id", input::id(&self.organizer_id));
        let co_organizer_id = e
            .take("co_organizer_id", input::optional_id(&self.co_organizer_id))
            .flatten();
        if co_organizer_id.is_some() && co_organizer_id == organizer_id {
            e.add(
                "co_organizer_id",
                Msg::new("协办单位不能与主办单位相同", "The co-organiser cannot be the organiser"),
            );
        }
        let start_on = e.take("start_on", input::date(&self.start_on));
        let end_on = e.take("end_on", input::optional_date(&self.end_on)).flatten();
        if let (Some(s), Some(t)) = (start_on, end_on)
            && t < s
        {
            e.add(
                "end_on",
                Msg::new("结束日期不能早于开始日期", "The end cannot come before the start"),
            );
        }
        let place = e.take("place", input::optional_text(&self.place, 200)).flatten();
        let hours = e.take("hours", opt_hours(&self.hours)).flatten();
        let county_code = match opt_text(&self.county_code) {
            None => None,
            Some(c) if crate::codes::division_name(c).is_some() && c.len() == 6 => Some(c.to_string()),
            Some(c) => {
                e.add(
                    "county_code",
                    Msg::new(
                        format!("“{c}”不是有效的行政区划代码（如 330881）"),
                        format!("“{c}” is not a valid division code (e.g. 330881)"),
                    ),
                );
                None
            }
        };
        let planned_headcount = match opt_text(&self.planned_headcount) {
            None => None,
            Some(n) => e.take(
                "planned_headcount",
                n.parse::<i64>()
                    .ok()
                    .filter(|n| (1..=100_000).contains(n))
                    .ok_or_else(|| {
                        Msg::new(
                            format!("计划人数“{n}”无效：应为 1–100000 的整数"),
                            format!("“{n}” is not a valid headcount (a whole number, 1–100000)"),
                        )
                    }),
            ),
        };
        let evaluation_score = match opt_text(&self.evaluation_score) {
            None => None,
            Some(s) => e.take(
                "evaluation_score",
                s.parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite() && (1.0..=5.0).contains(x))
                    .map(|x| (x * 100.0).round() / 100.0)
                    .ok_or_else(|| {
                        Msg::new(
                            format!("评价得分“{s}”无效：应为 1–5 之间的数字"),
                            format!("“{s}” is not a valid score (1–5)"),
                        )
                    }),
            ),
        };
        let evaluation_summary = e
            .take(
                "evaluation_summary",
                input::optional_text(&self.evaluation_summary, 5000),
            )
            .flatten();
        let status = match opt_text(&self.status) {
            None => Some(TrainingStatus::Planned),
            Some(_) => e.take(
                "status",
                input::code(
                    &self.status,
                    TrainingStatus::parse,
                    TrainingStatus::ALL,
                    TrainingStatus::label,
                    TrainingStatus::as_str,
                ),
            ),
        };
        if status != Some(TrainingStatus::Held) && (evaluation_score.is_some() || evaluation_summary.is_some()) {
            e.add(
                "evaluation_score",
                Msg::new(
                    "只有已举办的培训才能填写评价",
                    "Only a training that was held can be evaluated",
                ),
            );
        }
        let summary = e.take("summary", input::optional_text(&self.summary, 5000)).flatten();
        if !e.is_empty() {
            return Err(e);
        }
        let start_on = start_on.expect("checked");
        Ok(TrainingData {
            title: title.expect("checked"),
            kind: kind.expect("checked"),
            audience,
            organizer_id: organizer_id.expect("checked"),
            co_organizer_id,
            start_on,
            end_on: end_on.unwrap_or(start_on),
            place,
            hours,
            county_code,
            planned_headcount,
            evaluation_score,
            evaluation_summary,
            status: status.expect("checked"),
            summary,
        })
    }
}

/// A training is held on days that have come: "held" is refused while it starts after `today`.
pub fn check_held(d: &TrainingData, today: NaiveDate) -> Result<(), Msg> {
    if d.status == TrainingStatus::Held && d.start_on > today {
        return Err(Msg::new(
            format!("培训尚未开始（{}），不能标记为已举办", d.start_on),
            format!("The training has not started yet ({}); it cannot be held", d.start_on),
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct TrainingFilter {
    /// Words in the title, audience or place.
    pub q: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    /// Starting in this year.
    #[serde(deserialize_with = "de_opt_string")]
    pub year: Option<String>,
    /// A division code: trainings serving this county (or, with a city's code, any of its counties).
    pub county: Option<String>,
    /// Organised or co-organised by this organisation.
    #[serde(deserialize_with = "de_opt_string")]
    pub organizer_id: Option<String>,
    /// Part of the audience or theme.
    pub audience: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub archived: Option<String>,
}

/// One participant of a training.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Participant {
    pub id: i64,
    pub training_id: i64,
    pub name: String,
    /// The unit as written.
    pub unit: String,
    /// The organisation of that name, when one is registered.
    pub organization_id: Option<i64>,
    /// The county the participant counts for: their unit's, else the training's.
    pub county_code: Option<String>,
    pub post: Option<String>,
    pub phone: Option<String>,
    pub attended: bool,
    pub hours_attended: Option<f64>,
}

/// The import sheet's columns: (header, the ParticipantInput field it fills, required).
pub const PARTICIPANT_COLUMNS: &[(&str, &str, bool)] = &[
    ("姓名", "name", true),
    ("单位", "unit", true),
    ("职务", "post", false),
    ("电话", "phone", false),
    ("是否到课", "attended", false),
    ("学时", "hours_attended", false),
];

/// The column header people see for a ParticipantInput field.
pub fn participant_header(field: &str) -> &'static str {
    PARTICIPANT_COLUMNS
        .iter()
        .find(|(_, f, _)| *f == field)
        .map(|(h, _, _)| *h)
        .unwrap_or("")
}

/// What a sheet's row or a JSON body gives for a participant.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ParticipantInput {
    #[schema(required, max_length = 50)]
    pub name: Option<String>,
    #[schema(required, max_length = 200)]
    pub unit: Option<String>,
    #[schema(max_length = 100)]
    pub post: Option<String>,
    pub phone: Option<String>,
    /// 是/否 (also yes/no, true/false, 1/0, √/×); blank is 否.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<String>, example = "是")]
    pub attended: Option<String>,
    /// Hours attended; 0 or blank for one who did not attend.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<f64>, minimum = 0)]
    pub hours_attended: Option<String>,
}

/// A validated participant, its unit not yet matched to an organisation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParticipantData {
    pub name: String,
    pub unit: String,
    pub post: Option<String>,
    pub phone: Option<String>,
    pub attended: bool,
    pub hours_attended: Option<f64>,
}

/// 是/否 and its usual spellings; blank is 否.
pub fn parse_attended(v: &Option<String>) -> Result<bool, Msg> {
    match opt_text(v) {
        None => Ok(false),
        Some(s) => match s.to_lowercase().as_str() {
            "是" | "到" | "已到" | "出席" | "√" | "✓" | "y" | "yes" | "true" | "1" => Ok(true),
            "否" | "未到" | "缺" | "缺席" | "×" | "x" | "n" | "no" | "false" | "0" => Ok(false),
            _ => Err(Msg::new(
                format!("“{s}”无法识别：请填写“是”或“否”"),
                format!("“{s}” is not understood: write 是 (yes) or 否 (no)"),
            )),
        },
    }
}

impl ParticipantInput {
    /// Checks one participant; `hours` is the training's class hours, which no one attends more of.
    pub fn validate(&self, hours: Option<f64>) -> Result<ParticipantData, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.take("name", input::text(&self.name, 50));
        let unit = e.take("unit", input::text(&self.unit, 200));
        let post = e.take("post", input::optional_text(&self.post, 100)).flatten();
        let phone = e.take("phone", phone(&self.phone)).flatten();
        let attended = e.take("attended", parse_attended(&self.attended));
        let hours_attended = e.take("hours_attended", opt_hours(&self.hours_attended)).flatten();
        if let Some(h) = hours_attended {
            if attended == Some(false) && h > 0.0 {
                e.add(
                    "hours_attended",
                    Msg::new(
                        "未到课的学员学时应为 0 或留空",
                        "Someone who did not attend has 0 hours (or none)",
                    ),
                );
            } else if let Some(max) = hours
                && h > max
            {
                e.add(
                    "hours_attended",
                    Msg::new(
                        format!("学时 {} 超过了培训总学时 {}", show_hours(h), show_hours(max)),
                        format!(
                            "{} hours is more than the training's {}",
                            show_hours(h),
                            show_hours(max)
                        ),
                    ),
                );
            }
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(ParticipantData {
            name: name.expect("checked"),
            unit: unit.expect("checked"),
            post,
            phone,
            attended: attended.expect("checked"),
            hours_attended,
        })
    }
}

/// A phone number: the shared rule, and a mainland mobile number (eleven digits starting with 1)
/// when it looks like one.
fn phone(v: &Option<String>) -> Result<Option<String>, Msg> {
    let p = input::phone(v)?;
    if let Some(s) = &p {
        let digits: String = s.chars().filter(char::is_ascii_digit).collect();
        let mobile_like = s.trim().starts_with('1') && !s.contains(['-', '(', ' ']);
        if mobile_like && (digits.len() != 11 || !digits[1..2].chars().all(|c| ('3'..='9').contains(&c))) {
            return Err(Msg::new(
                format!("手机号码“{s}”应为以 1 开头的 11 位数字"),
                format!("“{s}” is not a valid mobile number (11 digits starting with 1)"),
            ));
        }
    }
    Ok(p)
}

/// How an import treats the participants already listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImportMode {
    /// The sheet becomes the list.
    #[default]
    Replace,
    /// The sheet's rows are added; someone already listed (same name and unit) is refused.
    Add,
}

impl ImportMode {
    pub fn parse(s: Option<&str>) -> Result<ImportMode, Msg> {
        match s.map(str::trim).unwrap_or("") {
            "" | "replace" => Ok(ImportMode::Replace),
            "add" => Ok(ImportMode::Add),
            other => Err(Msg::new(
                format!("导入方式“{other}”无效，应为 replace（替换名单）或 add（追加）"),
                format!("“{other}” is not an import mode: replace or add"),
            )),
        }
    }
}

/// One row of the counts of people trained: a county's code or a kind's code, its name, how many
/// trainings, and how many people attended.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TrainedCount {
    pub key: String,
    pub label: String,
    pub trainings: i64,
    /// People who attended (a person on two trainings counts twice).
    pub trained: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> TrainingInput {
        TrainingInput {
            title: Some("科技乡镇长培训班".into()),
            kind: Some("class".into()),
            organizer_id: Some("3".into()),
            start_on: Some("2026-05-10".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_training_needs_a_title_a_kind_an_organiser_and_a_start() {
        let e = TrainingInput::default().validate().unwrap_err();
        for f in ["title", "kind", "organizer_id", "start_on"] {
            assert!(e.get(f).is_some(), "{f}");
        }
        let d = base().validate().unwrap();
        assert_eq!((d.end_on, d.status), (d.start_on, TrainingStatus::Planned));
    }

    #[test]
    fn it_cannot_end_before_it_starts_nor_be_co_organised_by_its_organiser() {
        let mut i = base();
        i.end_on = Some("2026-05-09".into());
        i.co_organizer_id = Some("3".into());
        let e = i.validate().unwrap_err();
        assert!(e.get("end_on").is_some() && e.get("co_organizer_id").is_some());
    }

    #[test]
    fn a_score_is_between_one_and_five_and_only_for_a_held_training() {
        let mut i = base();
        i.evaluation_score = Some("4.6".into());
        assert!(i.validate().unwrap_err().get("evaluation_score").is_some());
        i.status = Some("held".into());
        assert_eq!(i.validate().unwrap().evaluation_score, Some(4.6));
        i.evaluation_score = Some("5.5".into());
        assert!(
            i.validate()
                .unwrap_err()
                .get("evaluation_score")
                .unwrap()
                .zh
                .contains("1–5")
        );
    }

    #[test]
    fn a_held_training_has_started() {
        let mut d = base().validate().unwrap();
        d.status = TrainingStatus::Held;
        let today: NaiveDate = "2026-05-09".parse().unwrap();
        assert!(check_held(&d, today).is_err());
        assert!(check_held(&d, today.succ_opt().unwrap()).is_ok());
    }

    #[test]
    fn hours_take_one_decimal_at_most() {
        assert_eq!(parse_hours("1.5").unwrap(), 1.5);
        assert!(parse_hours("1.25").is_err());
        assert!(parse_hours("-1").is_err());
        assert!(parse_hours("八").unwrap_err().zh.contains("学时“八”"));
        assert_eq!(show_hours(32.0), "32");
        assert_eq!(show_hours(1.5), "1.5");
    }

    fn row(name: &str, attended: &str, hours: &str, phone: &str) -> ParticipantInput {
        ParticipantInput {
            name: Some(name.into()),
            unit: Some("衢江区莲花镇人民政府".into()),
            attended: Some(attended.into()),
            hours_attended: Some(hours.into()),
            phone: Some(phone.into()),
            ..Default::default()
        }
    }

    #[test]
    fn attendance_reads_the_usual_spellings_and_blank_is_no() {
        for (s, want) in [("是", true), ("√", true), ("Yes", true), ("否", false), ("", false)] {
            assert_eq!(parse_attended(&Some(s.into())).unwrap(), want, "{s}");
        }
        assert!(
            parse_attended(&Some("也许".into()))
                .unwrap_err()
                .zh
                .contains("“是”或“否”")
        );
    }

    #[test]
    fn a_participant_who_did_not_attend_has_no_hours_and_no_one_has_more_than_the_training() {
        let e = row("王建国", "否", "4", "").validate(Some(32.0)).unwrap_err();
        assert!(e.get("hours_attended").unwrap().zh.contains("未到课"));
        let e = row("王建国", "是", "40", "").validate(Some(32.0)).unwrap_err();
        assert!(e.get("hours_attended").unwrap().zh.contains("超过了培训总学时 32"));
        let d = row("王建国", "是", "32", "13905701234").validate(Some(32.0)).unwrap();
        assert!(d.attended && d.hours_attended == Some(32.0));
    }

    #[test]
    fn a_mobile_number_has_eleven_digits_and_a_landline_is_allowed() {
        assert!(
            row("李娜", "是", "", "1390570123")
                .validate(None)
                .unwrap_err()
                .get("phone")
                .is_some()
        );
        assert!(row("李娜", "是", "", "0570-3026688").validate(None).is_ok());
        assert!(row("李娜", "是", "", "电话").validate(None).is_err());
    }

    #[test]
    fn import_modes_are_replace_by_default_or_add() {
        assert_eq!(ImportMode::parse(None).unwrap(), ImportMode::Replace);
        assert_eq!(ImportMode::parse(Some("add")).unwrap(), ImportMode::Add);
        assert!(ImportMode::parse(Some("merge")).is_err());
    }
}
