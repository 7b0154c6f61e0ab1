//! Enterprise self-registration (企业自助注册): what an enterprise gives at `/register` — its name,
//! unified social credit code, industry, county, contact person, phone, email and the password of
//! its account — checked here without I/O; the status of an application and its steps.
//!
//! What only the store can check (the code not used by an organisation or another open
//! application, the county's organisation) is checked there; the city whose counties an applicant
//! may choose is the store's `city_region`, passed in.

use crate::codes::{division_name, parse_credit_code, parse_industry, zhejiang_divisions};
use crate::input::{self, de_opt_string};
use crate::{FieldErrors, Msg, code_enum};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

code_enum!(
    RegistrationStatus {
        Pending = "pending", "待审核", "Pending";
        Approved = "approved", "已通过", "Approved";
        Rejected = "rejected", "未通过", "Rejected";
    }
);

impl RegistrationStatus {
    /// Only a pending application is decided, once: approved or rejected, never back.
    pub fn may_become(self, to: RegistrationStatus) -> bool {
        self == RegistrationStatus::Pending && to != RegistrationStatus::Pending
    }
}

/// How long an emailed code is good for.
pub const CODE_MINUTES: i64 = 30;
/// Wrong codes before the code is locked (a new one must be sent).
pub const CODE_TRIES: i64 = 5;
/// The least time between two codes sent to one application.
pub const RESEND_SECONDS: i64 = 60;
/// Codes sent to one application at most.
pub const MAX_SENDS: i64 = 10;
/// The shortest password an account may have (as for every account).
pub const MIN_PASSWORD_CHARS: usize = 10;

/// An application as the office, the county's coordinator and the applicant read it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Registration {
    pub id: i64,
    pub name: String,
    pub credit_code: String,
    /// GB/T 4754 section or division, e.g. `C26`.
    pub industry_code: String,
    pub industry_name: Option<String>,
    /// The county or district (GB/T 2260), e.g. `330881`.
    pub region_code: String,
    pub region_name: Option<String>,
    /// The county's organisation the enterprise will sit under (whose coordinator may decide).
    pub parent_id: Option<i64>,
    pub contact_name: String,
    pub phone: String,
    pub email: String,
    /// The account the applicant signs in with (its username is the credit code).
    pub user_id: i64,
    pub username: String,
    pub status: RegistrationStatus,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// The enterprise created on approval, and its contact person.
    pub organization_id: Option<i64>,
    pub person_id: Option<i64>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// When the applicant typed the code emailed to them; none: not verified (check by phone).
    pub email_verified_at: Option<DateTime<Utc>>,
    /// The office checked the applicant by phone (approving one whose email is not verified).
    pub phone_checked: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What the form or a JSON body gives (every field text, so both share it), with the solved
/// proof-of-work challenge.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RegistrationInput {
    /// The enterprise's registered name.
    #[schema(required, max_length = 200, example = "衢州新材料科技有限公司")]
    pub name: Option<String>,
    /// 统一社会信用代码: 18 characters, the last a GB 32100 check character.
    #[schema(required, example = "91330881MA2000001X")]
    pub credit_code: Option<String>,
    /// GB/T 4754 section (`C`) or division (`C26`, or `26`).
    #[schema(required, example = "C26")]
    pub industry_code: Option<String>,
    /// A county or district of the city (GB/T 2260), e.g. `330881`.
    #[schema(required, example = "330881")]
    pub region_code: Option<String>,
    #[schema(required, max_length = 50)]
    pub contact_name: Option<String>,
    #[schema(required)]
    pub phone: Option<String>,
    /// Where the verification code is sent.
    #[schema(required)]
    pub email: Option<String>,
    /// The account's password (at least 10 characters); the username is the credit code.
    #[schema(required, min_length = 10, write_only)]
    pub password: Option<String>,
    /// The form asks it twice; the API may leave it out.
    #[schema(write_only)]
    pub password_again: Option<String>,
    /// From `GET /api/v1/registrations/challenge`.
    #[schema(required)]
    pub pow_challenge: Option<String>,
    /// A nonce whose SHA-256 of `challenge:nonce` starts with the challenge's number of zero bits.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required)]
    pub pow_nonce: Option<String>,
}

/// A checked application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationData {
    pub name: String,
    pub credit_code: String,
    pub industry_code: String,
    pub region_code: String,
    pub contact_name: String,
    pub phone: String,
    pub email: String,
    pub password: String,
}

/// The counties and districts of `city` (a six-digit code such as 330800), in code order.
pub fn counties_of(city: &str) -> Vec<(String, String)> {
    if city.len() != 6 {
        return vec![];
    }
    zhejiang_divisions()
        .iter()
        .filter(|d| d.code.len() == 6 && d.code != city && d.code[..4] == city[..4])
        .map(|d| (d.code.clone(), d.name.clone()))
        .collect()
}

/// Checks `region` is a county or district of `city`.
pub fn check_county(region: &str, city: Option<&str>) -> Result<String, Msg> {
    let code = crate::codes::parse_division(region)?;
    let Some(city) = city.filter(|c| c.len() == 6) else {
        return Ok(code);
    };
    let city_name = division_name(city).unwrap_or_else(|| city.to_string());
    if code != city && code[..4] == city[..4] {
        return Ok(code);
    }
    let name = division_name(&code).unwrap_or_else(|| code.clone());
    Err(Msg::new(
        format!("所在区县“{name}”不在{city_name}范围内：本平台只受理{city_name}所辖区县的企业注册"),
        format!("“{name}” is not a county or district of {city_name}; only enterprises there may register"),
    ))
}

impl RegistrationInput {
    /// Checks every field; `city` is the city's division code (its counties are the only choice).
    pub fn validate(&self, city: Option<&str>) -> Result<RegistrationData, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.take("name", input::text(&self.name, 200));
        let credit_code = e.take(
            "credit_code",
            input::text(&self.credit_code, 40).and_then(|s| parse_credit_code(&s)),
        );
        let industry_code = e.take(
            "industry_code",
            input::text(&self.industry_code, 10).and_then(|s| parse_industry(&s)),
        );
        let region_code = e.take(
            "region_code",
            input::text(&self.region_code, 10).and_then(|s| check_county(&s, city)),
        );
        let contact_name = e.take("contact_name", input::text(&self.contact_name, 50));
        let phone = e.take(
            "phone",
            input::phone(&self.phone).and_then(|p| p.ok_or_else(crate::error::required)),
        );
        let email = e.take(
            "email",
            input::email(&self.email).and_then(|p| p.ok_or_else(crate::error::required)),
        );
        let password = self.password.clone().unwrap_or_default();
        if password.chars().count() < MIN_PASSWORD_CHARS {
            e.add(
                "password",
                Msg::new(
                    format!("密码至少 {MIN_PASSWORD_CHARS} 个字符"),
                    format!("The password needs at least {MIN_PASSWORD_CHARS} characters"),
                ),
            );
        } else if self.password_again.as_ref().is_some_and(|a| *a != password) {
            e.add(
                "password_again",
                Msg::new("两次输入的密码不一致", "The two passwords differ"),
            );
        }
        e.into_result(())?;
        Ok(RegistrationData {
            name: name.expect("checked"),
            credit_code: credit_code.expect("checked"),
            industry_code: industry_code.expect("checked"),
            region_code: region_code.expect("checked"),
            contact_name: contact_name.expect("checked"),
            phone: phone.expect("checked"),
            email: email.expect("checked"),
            password,
        })
    }
}

/// Why an application is rejected: required, at most 500 characters.
pub fn check_reason(reason: &Option<String>) -> Result<String, FieldErrors> {
    input::text(reason, 500).map_err(|m| FieldErrors::one("reason", m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> RegistrationInput {
        RegistrationInput {
            name: Some("衢州新材料科技有限公司".into()),
            credit_code: Some("12100000470095016Q".into()),
            industry_code: Some("26".into()),
            region_code: Some("330881".into()),
            contact_name: Some("张三".into()),
            phone: Some("13800000000".into()),
            email: Some("zhang@example.cn".into()),
            password: Some("a-long-password".into()),
            password_again: Some("a-long-password".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_application_in_a_county_of_the_city_passes_with_its_codes_made_canonical() {
        let d = good().validate(Some("330800")).unwrap();
        assert_eq!(d.industry_code, "C26");
        assert_eq!(d.region_code, "330881");
    }

    #[test]
    fn a_county_outside_the_city_is_refused_naming_both() {
        let mut i = good();
        i.region_code = Some("330106".into());
        let e = i.validate(Some("330800")).unwrap_err();
        let m = &e.get("region_code").unwrap().zh;
        assert!(m.contains("衢州市") && m.contains("不在"), "{m}");
        i.region_code = Some("330800".into());
        assert!(i.validate(Some("330800")).is_err(), "the city itself is not a county");
    }

    #[test]
    fn a_wrong_check_character_short_password_and_differing_repeat_are_each_named() {
        let mut i = good();
        i.credit_code = Some("12100000470095016A".into());
        i.password = Some("short".into());
        let e = i.validate(Some("330800")).unwrap_err();
        assert!(e.get("credit_code").unwrap().zh.contains("校验位"));
        assert!(e.get("password").is_some());
        let mut i = good();
        i.password_again = Some("something-else".into());
        assert!(i.validate(None).unwrap_err().get("password_again").is_some());
    }

    #[test]
    fn the_counties_of_quzhou_are_its_six() {
        let c = counties_of("330800");
        assert!(c.iter().any(|(code, _)| code == "330881"));
        assert!(c.iter().all(|(code, _)| code.starts_with("3308") && code != "330800"));
    }

    #[test]
    fn only_a_pending_application_is_decided() {
        use RegistrationStatus::*;
        assert!(Pending.may_become(Approved) && Pending.may_become(Rejected));
        assert!(!Approved.may_become(Rejected) && !Rejected.may_become(Approved));
    }
}
