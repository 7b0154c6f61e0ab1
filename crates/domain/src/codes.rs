//! National code tables and check characters: GB/T 2260 division codes (Zhejiang shipped in full),
//! GB/T 4754-2017 industry sections and divisions, and the GB 32100 unified social credit code.
//! Also where a unit sits by division on the board and the leader's page (`region_group`).

use crate::Msg;
use std::sync::OnceLock;

const DIVISIONS_ZJ: &str = include_str!("../data/divisions_zhejiang.tsv");
const INDUSTRIES: &str = include_str!("../data/industries_gbt4754_2017.tsv");

/// Province-level prefixes of GB/T 2260 (the first two digits of every division code).
const PROVINCES: &[(&str, &str)] = &[
    ("11", "北京市"),
    ("12", "天津市"),
    ("13", "河北省"),
    ("14", "山西省"),
    ("15", "内蒙古自治区"),
    ("21", "辽宁省"),
    ("22", "吉林省"),
    ("23", "黑龙江省"),
    ("31", "上海市"),
    ("32", "江苏省"),
    ("33", "浙江省"),
    ("34", "安徽省"),
    ("35", "福建省"),
    ("36", "江西省"),
    ("37", "山东省"),
    ("41", "河南省"),
    ("42", "湖北省"),
    ("43", "湖南省"),
    ("44", "广东省"),
    ("45", "广西壮族自治区"),
    ("46", "海南省"),
    ("50", "重庆市"),
    ("51", "四川省"),
    ("52", "贵州省"),
    ("53", "云南省"),
    ("54", "西藏自治区"),
    ("61", "陕西省"),
    ("62", "甘肃省"),
    ("63", "青海省"),
    ("64", "宁夏回族自治区"),
    ("65", "新疆维吾尔自治区"),
    ("71", "台湾省"),
    ("81", "香港特别行政区"),
    ("82", "澳门特别行政区"),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Industry {
    /// `C` for a section, `C26` for a division.
    pub code: String,
    pub name: String,
    /// The section letter of a division; None for a section.
    pub section: Option<String>,
}

pub fn zhejiang_divisions() -> &'static [Division] {
    static T: OnceLock<Vec<Division>> = OnceLock::new();
    T.get_or_init(|| {
        DIVISIONS_ZJ
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let mut p = l.split('\t');
                Division {
                    code: p.next().unwrap_or_default().to_string(),
                    name: p.next().unwrap_or_default().to_string(),
                    parent: p.next().filter(|s| !s.is_empty()).map(str::to_string),
                }
            })
            .collect()
    })
}

pub fn industries() -> &'static [Industry] {
    static T: OnceLock<Vec<Industry>> = OnceLock::new();
    T.get_or_init(|| {
        INDUSTRIES
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let mut p = l.split('\t');
                Industry {
                    code: p.next().unwrap_or_default().to_string(),
                    name: p.next().unwrap_or_default().to_string(),
                    section: p.next().filter(|s| !s.is_empty()).map(str::to_string),
                }
            })
            .collect()
    })
}

/// The name of a division: from the Zhejiang table, or the province for other provinces' codes.
pub fn division_name(code: &str) -> Option<String> {
    if let Some(d) = zhejiang_divisions().iter().find(|d| d.code == code) {
        return Some(d.name.clone());
    }
    PROVINCES
        .iter()
        .find(|(p, _)| code.starts_with(p))
        .filter(|_| !code.starts_with("33"))
        .map(|(_, n)| {
            if code.ends_with("0000") {
                n.to_string()
            } else {
                format!("{n}（{code}）")
            }
        })
}

/// Validates a GB/T 2260 code: six digits with a known province; inside Zhejiang, a listed division.
pub fn parse_division(s: &str) -> Result<String, Msg> {
    let s = s.trim();
    let bad = || {
        Msg::new(
            format!("行政区划代码“{s}”无效：应为 6 位数字的 GB/T 2260 代码，如 330881（江山市）"),
            format!("“{s}” is not a GB/T 2260 division code (six digits, e.g. 330881 for 江山市)"),
        )
    };
    if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if s.starts_with("33") {
        return zhejiang_divisions()
            .iter()
            .any(|d| d.code == s)
            .then(|| s.to_string())
            .ok_or_else(bad);
    }
    PROVINCES
        .iter()
        .any(|(p, _)| s.starts_with(p))
        .then(|| s.to_string())
        .ok_or_else(bad)
}

pub fn industry_name(code: &str) -> Option<&'static str> {
    industries().iter().find(|i| i.code == code).map(|i| i.name.as_str())
}

/// Validates a GB/T 4754 code and returns it canonical: a section `C`, or a division `C26`
/// (a bare `26` is accepted and given its section letter).
pub fn parse_industry(s: &str) -> Result<String, Msg> {
    let raw = s.trim().to_ascii_uppercase();
    let canon = if raw.len() == 2 && raw.bytes().all(|b| b.is_ascii_digit()) {
        industries()
            .iter()
            .find(|i| i.code.len() == 3 && i.code[1..] == raw)
            .map(|i| i.code.clone())
    } else {
        industries().iter().find(|i| i.code == raw).map(|i| i.code.clone())
    };
    canon.ok_or_else(|| {
        Msg::new(
            format!("行业代码“{s}”无效：应为 GB/T 4754 门类（如 C）或大类（如 C26 或 26）"),
            format!("“{s}” is not a GB/T 4754 industry section (e.g. C) or division (e.g. C26)"),
        )
    })
}

/// GB 32100-2015: the 31 characters a unified social credit code is written in (no I, O, Z, S, V).
const CREDIT_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// The check character for the first 17 characters of a credit code, or None if one is not allowed.
pub fn credit_check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (i, b) in first17.bytes().enumerate() {
        let v = CREDIT_CHARS.iter().position(|c| *c == b)? as u32;
        sum += v * CREDIT_WEIGHTS[i];
    }
    let c = (31 - sum % 31) % 31;
    Some(CREDIT_CHARS[c as usize] as char)
}

/// Validates an 18-character unified social credit code (统一社会信用代码), upper-casing it.
pub fn parse_credit_code(s: &str) -> Result<String, Msg> {
    let code = s.trim().to_ascii_uppercase();
    if code.chars().count() != 18 {
        return Err(Msg::new(
            format!("统一社会信用代码应为 18 位，“{s}”为 {} 位", code.chars().count()),
            format!(
                "A unified social credit code has 18 characters; “{s}” has {}",
                code.chars().count()
            ),
        ));
    }
    if let Some(bad) = code.bytes().find(|b| !CREDIT_CHARS.contains(b)) {
        return Err(Msg::new(
            format!(
                "统一社会信用代码含有不允许的字符“{}”（不使用 I、O、Z、S、V）",
                bad as char
            ),
            format!(
                "The credit code contains “{}”, which is not allowed (I, O, Z, S, V are never used)",
                bad as char
            ),
        ));
    }
    if !code[2..8].bytes().all(|b| b.is_ascii_digit()) {
        return Err(Msg::new(
            "统一社会信用代码第 3–8 位应为行政区划代码",
            "Characters 3–8 of a credit code must be a division code",
        ));
    }
    let expected = credit_check_char(&code[..17]).unwrap_or('?');
    if code.as_bytes()[17] as char != expected {
        return Err(Msg::new(
            format!("统一社会信用代码校验位错误：最后一位应为“{expected}”"),
            format!("The credit code's check character is wrong: it should end in “{expected}”"),
        ));
    }
    Ok(code)
}

/// Where a responsible unit sits on the board's "by county" table, from its division code and the
/// city's own (`city`, e.g. 330800 衢州市): one of the city's counties or districts, the city itself
/// (市本级), a unit outside the city (市外单位), or a unit without a division code.
pub fn region_group(city: Option<&str>, region: Option<&str>) -> Msg {
    let Some(region) = region.filter(|r| !r.is_empty()) else {
        return Msg::new("（未填行政区划）", "(No division code)");
    };
    let Some(city) = city.filter(|c| c.len() == 6) else {
        let name = division_name(region).unwrap_or_else(|| region.to_string());
        return Msg::new(name.clone(), name);
    };
    if region == city {
        return Msg::new("市本级", "City level");
    }
    if region.len() == 6 && region[..4] == city[..4] {
        let name = division_name(region).unwrap_or_else(|| region.to_string());
        return Msg::new(name.clone(), name);
    }
    Msg::new("市外单位", "Outside the city")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_real_credit_code_passes() {
        // 浙江大学's published code.
        assert_eq!(parse_credit_code("12100000470095016Q").unwrap(), "12100000470095016Q");
    }

    #[test]
    fn a_credit_code_with_a_wrong_check_character_is_rejected() {
        let e = parse_credit_code("12100000470095016A").unwrap_err();
        assert!(e.zh.contains("校验位"), "{}", e.zh);
        assert!(e.zh.contains("“Q”"));
    }

    #[test]
    fn a_credit_code_with_a_forbidden_letter_or_wrong_length_is_rejected() {
        assert!(parse_credit_code("12100000470095016").unwrap_err().zh.contains("18 位"));
        assert!(parse_credit_code("1210000047009501IQ").unwrap_err().zh.contains("“I”"));
    }

    #[test]
    fn lower_case_credit_codes_are_accepted_and_normalised() {
        assert_eq!(parse_credit_code(" 12100000470095016q ").unwrap(), "12100000470095016Q");
    }

    #[test]
    fn zhejiang_divisions_include_quzhou_and_its_counties() {
        for (code, name) in [
            ("330800", "衢州市"),
            ("330881", "江山市"),
            ("330825", "龙游县"),
            ("330802", "柯城区"),
        ] {
            assert_eq!(division_name(code).as_deref(), Some(name));
            assert!(parse_division(code).is_ok());
        }
        assert!(zhejiang_divisions().len() > 100);
    }

    #[test]
    fn an_unknown_zhejiang_code_or_a_non_code_is_rejected() {
        assert!(parse_division("330899").is_err());
        assert!(parse_division("33088").is_err());
        assert!(parse_division("990000").is_err());
        assert!(parse_division("320500").is_ok());
    }

    #[test]
    fn industry_divisions_get_their_section_letter() {
        assert_eq!(parse_industry("26").unwrap(), "C26");
        assert_eq!(parse_industry("c39").unwrap(), "C39");
        assert_eq!(parse_industry("A").unwrap(), "A");
        assert_eq!(industry_name("C22"), Some("造纸和纸制品业"));
        assert!(parse_industry("C99").is_err());
        assert_eq!(industries().iter().filter(|i| i.section.is_none()).count(), 20);
        assert_eq!(industries().iter().filter(|i| i.section.is_some()).count(), 97);
    }

    #[test]
    fn units_are_grouped_by_the_citys_counties_the_city_itself_and_outside_the_city() {
        let g = |r: Option<&str>| region_group(Some("330800"), r).zh;
        assert_eq!(g(Some("330881")), "江山市");
        assert_eq!(g(Some("330802")), "柯城区");
        assert_eq!(g(Some("330800")), "市本级");
        assert_eq!(g(Some("330100")), "市外单位");
        assert_eq!(g(Some("330106")), "市外单位");
        assert_eq!(g(None), "（未填行政区划）");
    }
}
