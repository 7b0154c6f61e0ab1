//! The university's research results (科技成果): patents, software, new varieties, methods and
//! products, with their owners (experts), maturity, IP number, transfer mode, price and what became
//! of them (available → under negotiation → transferred, to whom, when, for how much, locally or not).

use crate::input::{self, de_list, de_opt_string, opt_text};
use crate::{FieldErrors, Money, Msg, code_enum};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

code_enum!(
    ResultKind {
        Patent = "patent", "专利", "Patent";
        Software = "software", "软件著作权", "Software";
        Variety = "variety", "新品种", "New variety";
        Method = "method", "新工艺/方法", "Method";
        Product = "product", "新产品", "Product";
        Other = "other", "其他", "Other";
    }
);

code_enum!(
    Maturity {
        Lab = "lab", "实验室阶段", "Laboratory";
        Pilot = "pilot", "中试阶段", "Pilot";
        Industrial = "industrial", "可产业化", "Ready for industry";
    }
);

code_enum!(
    TransferMode {
        Assignment = "assignment", "转让", "Assignment";
        License = "license", "许可", "Licence";
        Equity = "equity", "作价入股", "Equity";
    }
);

code_enum!(
    ResultStatus {
        Available = "available", "待转化", "Available";
        Negotiating = "negotiating", "洽谈中", "Under negotiation";
        Transferred = "transferred", "已转化", "Transferred";
    }
);

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResearchResult {
    pub id: i64,
    pub title: String,
    pub kind: ResultKind,
    pub summary: Option<String>,
    pub keywords: Vec<String>,
    /// 学科.
    pub discipline: Option<String>,
    /// The experts who own it.
    pub owner_ids: Vec<i64>,
    pub maturity: Maturity,
    /// A CN patent application number, normalised: `CN202110123456.5`.
    pub ip_number: Option<String>,
    pub transfer_mode: TransferMode,
    #[schema(value_type = Option<String>, example = "80.00")]
    pub price_wan: Option<Money>,
    /// The owners let the public portal show the price (otherwise it reads 面议).
    pub price_public: bool,
    pub status: ResultStatus,
    /// Once transferred: to whom, when, for how much, and whether the buyer is in the city.
    pub transferee_id: Option<i64>,
    pub transferred_on: Option<NaiveDate>,
    #[schema(value_type = Option<String>)]
    pub transfer_amount_wan: Option<Money>,
    pub transferred_locally: Option<bool>,
    pub year: Option<i32>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a form or a JSON body gives for a research result.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ResultInput {
    #[schema(required, max_length = 300)]
    pub title: Option<String>,
    #[schema(required, value_type = Option<ResultKind>)]
    pub kind: Option<String>,
    #[schema(max_length = 20000)]
    pub summary: Option<String>,
    /// A list, or one string separated by commas, 、 or semicolons; each at most 50 characters.
    #[serde(deserialize_with = "de_list")]
    pub keywords: Vec<String>,
    /// 学科.
    #[schema(max_length = 100)]
    pub discipline: Option<String>,
    /// The experts who own it (person ids; a list, or one string separated by commas).
    #[serde(deserialize_with = "de_list")]
    #[schema(value_type = Vec<i64>)]
    pub owner_ids: Vec<String>,
    /// `lab` when not given.
    #[schema(value_type = Option<Maturity>, default = "lab")]
    pub maturity: Option<String>,
    /// A CN patent application number with its check digit (`CN202110123456.5`, `ZL…` or the bare
    /// digits are accepted); required when `kind` is `patent`.
    #[schema(example = "CN202110123456.5")]
    pub ip_number: Option<String>,
    /// `license` when not given.
    #[schema(value_type = Option<TransferMode>, default = "license")]
    pub transfer_mode: Option<String>,
    /// The asking price in 万元 as a decimal string, kept exact: a non-negative number with at most
    /// six decimals (commas allowed). A JSON number is accepted too, but a string keeps it exact.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<String>, example = "80")]
    pub price_wan: Option<String>,
    /// `true` (or the form's `on`): the public portal shows the price; hidden (面议) otherwise.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<bool>, default = false)]
    pub price_public: Option<String>,
    /// `available` when not given.
    #[schema(value_type = Option<ResultStatus>, default = "available")]
    pub status: Option<String>,
    /// To whom it was transferred (an organisation id); required when `status` is `transferred`.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub transferee_id: Option<String>,
    /// When it was transferred; required when `status` is `transferred`.
    #[schema(value_type = Option<String>, format = Date)]
    pub transferred_on: Option<String>,
    /// What the transfer was for, in 万元 as a decimal string, kept exact (at most six decimals).
    /// A JSON number is accepted too, but a string keeps it exact.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<String>, example = "120.5")]
    pub transfer_amount_wan: Option<String>,
    /// Whether the transferee is in the city.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<bool>)]
    pub transferred_locally: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i32>, minimum = 1990, maximum = 2100, example = 2024)]
    pub year: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResultData {
    pub title: String,
    pub kind: ResultKind,
    pub summary: Option<String>,
    pub keywords: Vec<String>,
    pub discipline: Option<String>,
    pub owner_ids: Vec<i64>,
    pub maturity: Maturity,
    pub ip_number: Option<String>,
    pub transfer_mode: TransferMode,
    pub price: Option<Money>,
    pub price_public: bool,
    pub status: ResultStatus,
    pub transferee_id: Option<i64>,
    pub transferred_on: Option<NaiveDate>,
    pub transfer_amount: Option<Money>,
    pub transferred_locally: Option<bool>,
    pub year: Option<i32>,
}

/// Keywords as people type them: separated by commas, 、 or semicolons, full- or half-width.
pub fn keywords(v: &[String]) -> Result<Vec<String>, Msg> {
    let mut out: Vec<String> = Vec::new();
    for k in v.iter().flat_map(|s| s.split([',', '，', '、', ';', '；'])) {
        let k = k.trim();
        if k.is_empty() || out.iter().any(|o| o == k) {
            continue;
        }
        if k.chars().count() > 50 {
            return Err(Msg::new(
                format!("关键词“{k}”过长（最多 50 字）"),
                format!("Keyword “{k}” is too long"),
            ));
        }
        out.push(k.to_string());
    }
    Ok(out)
}

fn money(v: &Option<String>) -> Result<Option<Money>, Msg> {
    opt_text(v).map(Money::parse_wan).transpose()
}

/// Weights of the check digit of a CN application number (GB/T 18304-2001, and the 8-digit form before 2003).
const PATENT_WEIGHTS: [u32; 12] = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];

/// The check character of the digits of a CN patent application number: weighted sum mod 11, 10 is `X`.
pub fn patent_check_char(digits: &str) -> Option<char> {
    if !(digits.len() == 8 || digits.len() == 12) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = digits
        .bytes()
        .zip(PATENT_WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(match sum % 11 {
        10 => 'X',
        n => char::from(b'0' + n as u8),
    })
}

/// Validates a CN patent application number — `CN202110123456.5`, `ZL 202110123456.5`, `202110123456.5`
/// or the 8-digit form of before 2003 (`98123456.X`) — and returns it as `CN…` with its check digit.
pub fn parse_patent_number(s: &str) -> Result<String, Msg> {
    let raw: String = s
        .trim()
        .to_ascii_uppercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let body = raw
        .strip_prefix("CN")
        .or_else(|| raw.strip_prefix("ZL"))
        .unwrap_or(&raw);
    let bad = |why_zh: &str, why_en: &str| {
        Msg::new(
            format!("专利申请号“{s}”无效：{why_zh}。格式如 CN202110123456.5（12 位数字、小数点、校验位）"),
            format!("“{s}” is not a CN patent application number: {why_en} (e.g. CN202110123456.5)"),
        )
    };
    let (digits, check) = match body.split_once('.') {
        Some((d, c)) => (d.to_string(), c.to_string()),
        None if body.len() == 13 || body.len() == 9 => {
            (body[..body.len() - 1].to_string(), body[body.len() - 1..].to_string())
        }
        None => return Err(bad("位数不对", "wrong length")),
    };
    let Some(expected) = patent_check_char(&digits) else {
        return Err(bad(
            "应为 12 位（或 2003 年前的 8 位）数字",
            "12 digits (8 before 2003) expected",
        ));
    };
    if digits.len() == 12 {
        let year: u32 = digits[..4].parse().unwrap_or(0);
        if !(2003..=2100).contains(&year) || !matches!(&digits[4..5], "1" | "2" | "3" | "8" | "9") {
            return Err(bad(
                "年份或专利类型位不对",
                "the year or the patent type digit is wrong",
            ));
        }
    }
    if check.len() != 1 || !check.starts_with(expected) {
        return Err(bad(
            &format!("校验位应为 {expected}"),
            &format!("the check digit should be {expected}"),
        ));
    }
    Ok(format!("CN{digits}.{expected}"))
}

impl ResultInput {
    pub fn from_record(r: &ResearchResult) -> Self {
        ResultInput {
            title: Some(r.title.clone()),
            kind: Some(r.kind.as_str().into()),
            summary: r.summary.clone(),
            keywords: r.keywords.clone(),
            discipline: r.discipline.clone(),
            owner_ids: r.owner_ids.iter().map(i64::to_string).collect(),
            maturity: Some(r.maturity.as_str().into()),
            ip_number: r.ip_number.clone(),
            transfer_mode: Some(r.transfer_mode.as_str().into()),
            price_wan: r.price_wan.map(Money::wan),
            price_public: Some(r.price_public.to_string()),
            status: Some(r.status.as_str().into()),
            transferee_id: r.transferee_id.map(|i| i.to_string()),
            transferred_on: r.transferred_on.map(|d| d.to_string()),
            transfer_amount_wan: r.transfer_amount_wan.map(Money::wan),
            transferred_locally: r.transferred_locally.map(|b| b.to_string()),
            year: r.year.map(|y| y.to_string()),
        }
    }

    pub fn validate(&self) -> Result<ResultData, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = e.take("title", input::text(&self.title, 300));
        let kind = e.take(
            "kind",
            input::code(
                &self.kind,
                ResultKind::parse,
                ResultKind::ALL,
                ResultKind::label,
                ResultKind::as_str,
            ),
        );
        let summary = e.take("summary", input::optional_text(&self.summary, 20_000));
        let keywords = e.take("keywords", keywords(&self.keywords));
        let discipline = e.take("discipline", input::optional_text(&self.discipline, 100));
        let owner_ids = e.take("owner_ids", input::ids(&self.owner_ids));
        let maturity = match opt_text(&self.maturity) {
            None => Some(Maturity::Lab),
            Some(_) => e.take(
                "maturity",
                input::code(
                    &self.maturity,
                    Maturity::parse,
                    Maturity::ALL,
                    Maturity::label,
                    Maturity::as_str,
                ),
            ),
        };
        let ip_number = e.take(
            "ip_number",
            opt_text(&self.ip_number).map(parse_patent_number).transpose(),
        );
        let transfer_mode = match opt_text(&self.transfer_mode) {
            None => Some(TransferMode::License),
            Some(_) => e.take(
                "transfer_mode",
                input::code(
                    &self.transfer_mode,
                    TransferMode::parse,
                    TransferMode::ALL,
                    TransferMode::label,
                    TransferMode::as_str,
                ),
            ),
        };
        let price = e.take("price_wan", money(&self.price_wan));
        let status = match opt_text(&self.status) {
            None => Some(ResultStatus::Available),
            Some(_) => e.take(
                "status",
                input::code(
                    &self.status,
                    ResultStatus::parse,
                    ResultStatus::ALL,
                    ResultStatus::label,
                    ResultStatus::as_str,
                ),
            ),
        };
        let transferee_id = e.take("transferee_id", input::optional_id(&self.transferee_id));
        let transferred_on = e.take("transferred_on", input::optional_date(&self.transferred_on));
        let transfer_amount = e.take("transfer_amount_wan", money(&self.transfer_amount_wan));
        let transferred_locally = match opt_text(&self.transferred_locally) {
            None => Some(None),
            Some(_) => e
                .take("transferred_locally", crate::demand::flag(&self.transferred_locally))
                .map(Some),
        };
        let year = match opt_text(&self.year) {
            None => Some(None),
            Some(_) => e.take("year", input::year(&self.year)).map(Some),
        };
        if kind == Some(ResultKind::Patent) && ip_number == Some(None) {
            e.add(
                "ip_number",
                Msg::new("专利须填写申请号", "A patent needs its application number"),
            );
        }
        if status == Some(ResultStatus::Transferred) {
            if transferee_id == Some(None) {
                e.add(
                    "transferee_id",
                    Msg::new("已转化的成果须写明受让方", "Say who the result went to"),
                );
            }
            if transferred_on == Some(None) {
                e.add(
                    "transferred_on",
                    Msg::new("已转化的成果须写明转化日期", "Say when it was transferred"),
                );
            }
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(ResultData {
            title: title.expect("checked"),
            kind: kind.expect("checked"),
            summary: summary.flatten(),
            keywords: keywords.expect("checked"),
            discipline: discipline.flatten(),
            owner_ids: owner_ids.expect("checked"),
            maturity: maturity.expect("checked"),
            ip_number: ip_number.flatten(),
            transfer_mode: transfer_mode.expect("checked"),
            price: price.flatten(),
            price_public: crate::person::truthy(&self.price_public),
            status: status.expect("checked"),
            transferee_id: transferee_id.flatten(),
            transferred_on: transferred_on.flatten(),
            transfer_amount: transfer_amount.flatten(),
            transferred_locally: transferred_locally.flatten(),
            year: year.flatten(),
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ResultFilter {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub owner_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub archived: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patent_numbers_are_checked_by_their_check_digit() {
        assert_eq!(parse_patent_number("ZL 200410018192.5").unwrap(), "CN200410018192.5");
        assert_eq!(parse_patent_number("cn2004100181925").unwrap(), "CN200410018192.5");
        let e = parse_patent_number("CN200410018192.6").unwrap_err();
        assert!(e.zh.contains("校验位应为 5"), "{}", e.zh);
        assert!(
            parse_patent_number("CN200470018192.5").is_err(),
            "type digit 7 does not exist"
        );
        assert!(parse_patent_number("12345").is_err());
        // The 8-digit form before 2003.
        let d = "98123456";
        let c = patent_check_char(d).unwrap();
        assert_eq!(parse_patent_number(&format!("{d}.{c}")).unwrap(), format!("CN{d}.{c}"));
    }

    #[test]
    fn a_transferred_result_says_to_whom_and_when() {
        let i = ResultInput {
            title: Some("一种含氟废水深度处理方法".into()),
            kind: Some("patent".into()),
            status: Some("transferred".into()),
            keywords: vec!["含氟废水，深度处理、吸附".into()],
            ..Default::default()
        };
        let e = i.validate().unwrap_err();
        assert!(e.get("ip_number").is_some());
        assert!(e.get("transferee_id").is_some());
        assert!(e.get("transferred_on").is_some());
        assert_eq!(keywords(&i.keywords).unwrap(), vec!["含氟废水", "深度处理", "吸附"]);
    }
}
