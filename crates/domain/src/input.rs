//! Turning raw input (form fields or JSON, always text here) into typed values, one field at a time.
//! Every helper returns the bilingual message that the user sees beside the field.

use crate::Msg;
use crate::error::{required, too_long};
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};

/// Accepts a JSON string, number, boolean or null as an optional string, so that JSON clients may
/// send `2026` or `"2026"` and HTML forms (always text) share the same input structs.
pub fn de_opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        S(String),
        I(i64),
        F(f64),
        B(bool),
    }
    Ok(match Option::<Raw>::deserialize(d)? {
        None => None,
        Some(Raw::S(s)) => Some(s),
        Some(Raw::I(i)) => Some(i.to_string()),
        Some(Raw::F(f)) => Some(f.to_string()),
        Some(Raw::B(b)) => Some(b.to_string()),
    })
}

/// Accepts a JSON array (of strings or numbers), a single value, or a comma-separated string.
pub fn de_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum One {
        S(String),
        I(i64),
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Many(Vec<One>),
        One(One),
    }
    let raw = Option::<Raw>::deserialize(d)?;
    let items = match raw {
        None => vec![],
        Some(Raw::Many(v)) => v,
        Some(Raw::One(o)) => vec![o],
    };
    Ok(items
        .into_iter()
        .flat_map(|o| match o {
            One::S(s) => s.split(',').map(|p| p.trim().to_string()).collect(),
            One::I(i) => vec![i.to_string()],
        })
        .filter(|s| !s.is_empty())
        .collect())
}

/// The trimmed text, or None when absent or blank.
pub fn opt_text(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub fn text(v: &Option<String>, max: usize) -> Result<String, Msg> {
    let s = opt_text(v).ok_or_else(required)?;
    checked(s, max)
}

pub fn optional_text(v: &Option<String>, max: usize) -> Result<Option<String>, Msg> {
    opt_text(v).map(|s| checked(s, max)).transpose()
}

/// Text as typed, refused when too long or when it holds control characters (a NUL, an escape…)
/// that no one types and that break what reads the records later; line breaks and tabs are text.
fn checked(s: &str, max: usize) -> Result<String, Msg> {
    if s.chars().count() > max {
        return Err(too_long(max));
    }
    if s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(Msg::new(
            "含有不可见的控制字符，请删除后重新填写",
            "Contains invisible control characters: remove them and try again",
        ));
    }
    Ok(s.to_string())
}

pub fn parse_date(s: &str) -> Result<NaiveDate, Msg> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        Msg::new(
            format!("日期“{s}”无效，请按 YYYY-MM-DD 填写"),
            format!("“{s}” is not a valid date; use YYYY-MM-DD"),
        )
    })
}

pub fn date(v: &Option<String>) -> Result<NaiveDate, Msg> {
    parse_date(opt_text(v).ok_or_else(required)?)
}

pub fn optional_date(v: &Option<String>) -> Result<Option<NaiveDate>, Msg> {
    opt_text(v).map(parse_date).transpose()
}

pub fn parse_id(s: &str) -> Result<i64, Msg> {
    s.trim()
        .parse::<i64>()
        .ok()
        .filter(|i| *i > 0)
        .ok_or_else(|| Msg::new(format!("编号“{s}”无效"), format!("“{s}” is not a valid id")))
}

pub fn id(v: &Option<String>) -> Result<i64, Msg> {
    parse_id(opt_text(v).ok_or_else(required)?)
}

pub fn optional_id(v: &Option<String>) -> Result<Option<i64>, Msg> {
    opt_text(v).map(parse_id).transpose()
}

pub fn ids(v: &[String]) -> Result<Vec<i64>, Msg> {
    let mut out = Vec::new();
    for s in v.iter().flat_map(|s| s.split(',')).filter(|s| !s.trim().is_empty()) {
        let i = parse_id(s)?;
        if !out.contains(&i) {
            out.push(i);
        }
    }
    Ok(out)
}

pub fn year(v: &Option<String>) -> Result<i32, Msg> {
    let s = opt_text(v).ok_or_else(required)?;
    s.parse::<i32>()
        .ok()
        .filter(|y| (1990..=2100).contains(y))
        .ok_or_else(|| {
            Msg::new(
                format!("年份“{s}”无效，应为 1990–2100 之间的四位数"),
                format!("“{s}” is not a valid year (1990–2100)"),
            )
        })
}

/// A closed code (kind, status…): a value from `parse`, or a message listing what is allowed.
pub fn code<T: Copy>(
    v: &Option<String>,
    parse: impl Fn(&str) -> Option<T>,
    all: &[T],
    label: impl Fn(T) -> Msg,
    as_str: impl Fn(T) -> &'static str,
) -> Result<T, Msg> {
    let s = opt_text(v).ok_or_else(required)?;
    parse(s).ok_or_else(|| {
        let zh: Vec<String> = all
            .iter()
            .map(|k| format!("{}（{}）", label(*k).zh, as_str(*k)))
            .collect();
        let en: Vec<&str> = all.iter().map(|k| as_str(*k)).collect();
        Msg::new(
            format!("“{s}”不是有效选项，可选：{}", zh.join("、")),
            format!("“{s}” is not allowed; choose one of {}", en.join(", ")),
        )
    })
}

pub fn email(v: &Option<String>) -> Result<Option<String>, Msg> {
    let Some(s) = opt_text(v) else { return Ok(None) };
    let ok = s.len() <= 200
        && s.split_once('@')
            .is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !b.starts_with('.') && !b.ends_with('.'))
        && !s.contains(char::is_whitespace);
    if ok {
        Ok(Some(s.to_string()))
    } else {
        Err(Msg::new(
            format!("邮箱地址“{s}”格式不正确"),
            format!("“{s}” is not a valid email address"),
        ))
    }
}

pub fn phone(v: &Option<String>) -> Result<Option<String>, Msg> {
    let Some(s) = opt_text(v) else { return Ok(None) };
    let ok = s.len() <= 40
        && s.chars().all(|c| c.is_ascii_digit() || "+-() ".contains(c))
        && s.chars().filter(char::is_ascii_digit).count() >= 5;
    if ok {
        Ok(Some(s.to_string()))
    } else {
        Err(Msg::new(
            format!("电话号码“{s}”格式不正确"),
            format!("“{s}” is not a valid phone number"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_with_a_nul_or_another_control_character_is_refused_but_line_breaks_are_text() {
        let t = |s: &str| text(&Some(s.to_string()), 100);
        assert!(t("衢州\0市").unwrap_err().zh.contains("控制字符"));
        assert!(t("名称\u{1b}[31m").is_err());
        assert_eq!(t("第一行\n第二行\t！").unwrap(), "第一行\n第二行\t！");
        assert!(optional_text(&Some("a\u{7f}".into()), 10).is_err());
    }

    #[test]
    fn a_blank_required_field_is_reported_as_required() {
        assert_eq!(text(&Some("   ".into()), 10).unwrap_err().en, "This field is required");
    }

    #[test]
    fn a_date_in_another_format_is_rejected_with_the_format_named() {
        let e = date(&Some("2026/3/1".into())).unwrap_err();
        assert!(e.zh.contains("YYYY-MM-DD"));
        assert_eq!(date(&Some("2024-02-29".into())).unwrap().to_string(), "2024-02-29");
        assert!(date(&Some("2025-02-29".into())).is_err());
    }

    #[test]
    fn ids_are_deduplicated_and_must_be_positive() {
        assert_eq!(ids(&["3".into(), "3".into(), "4".into()]).unwrap(), vec![3, 4]);
        assert!(ids(&["0".into()]).is_err());
        assert!(ids(&["x".into()]).is_err());
    }

    #[test]
    fn an_email_without_a_domain_is_rejected() {
        assert!(email(&Some("a@b".into())).is_err());
        assert!(email(&Some("zhang@zju.edu.cn".into())).unwrap().is_some());
    }
}
