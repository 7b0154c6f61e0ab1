//! The outcomes ledger (成果台账): what the cooperation produced — funding won, technical contracts,
//! patents, results transferred, new products, revenue, awards, standards, talents trained and
//! policy advice adopted. One entry per outcome, dated, with its amount in fen where it has one,
//! linked to what it came from and to the organisations and people it counts for. The office
//! confirms an entry (it then counts in statistics) or returns it with a reason.

use crate::input::{self, de_list, de_opt_string, opt_text};
use crate::research_result::{TransferMode, parse_patent_number};
use crate::{FieldErrors, Money, Msg, code_enum};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

code_enum!(
    #[derive(Default)]
    OutcomeKind {
        #[default]
        Funding = "funding", "科技经费", "Research funding";
        Contract = "contract", "技术合同", "Technical contract";
        Patent = "patent", "专利", "Patent";
        Transfer = "transfer", "成果转化", "Result transferred";
        Product = "product", "新产品", "New product";
        /// Revenue or savings reported by an enterprise.
        Revenue = "revenue", "新增效益", "Added revenue or savings";
        Award = "award", "获奖", "Award";
        Standard = "standard", "标准", "Standard";
        Talent = "talent", "人才培养", "Talents trained";
        Policy = "policy", "决策咨询被采纳", "Policy advice adopted";
    }
);

code_enum!(
    OutcomeStatus {
        Reported = "reported", "待确认", "Awaiting confirmation";
        Confirmed = "confirmed", "已确认", "Confirmed";
        Returned = "returned", "已退回", "Returned";
    }
);

code_enum!(
    ContractKind {
        Development = "development", "技术开发", "Development";
        Transfer = "transfer", "技术转让", "Transfer";
        License = "license", "技术许可", "Licence";
        Consulting = "consulting", "技术咨询", "Consulting";
        Service = "service", "技术服务", "Service";
    }
);

code_enum!(
    GrantorLevel {
        National = "national", "国家级", "National";
        Provincial = "provincial", "省级", "Provincial";
        City = "city", "市级", "City";
        County = "county", "县级", "County";
    }
);

code_enum!(
    PatentStatus {
        Filed = "filed", "已申请", "Filed";
        Granted = "granted", "已授权", "Granted";
    }
);

impl OutcomeStatus {
    /// Whether the office may move an entry from this status to `to` (confirm or return).
    pub fn may_become(self, to: OutcomeStatus) -> bool {
        matches!(
            (self, to),
            (
                OutcomeStatus::Reported,
                OutcomeStatus::Confirmed | OutcomeStatus::Returned
            ) | (OutcomeStatus::Returned, OutcomeStatus::Confirmed)
                | (OutcomeStatus::Confirmed, OutcomeStatus::Returned)
        )
    }
}

impl OutcomeKind {
    /// What the amount of this kind means, for labels ("contract amount", "price", "sales").
    pub fn amount_label(self) -> Msg {
        match self {
            OutcomeKind::Funding => Msg::new("经费金额", "Funding"),
            OutcomeKind::Contract => Msg::new("合同金额", "Contract amount"),
            OutcomeKind::Transfer => Msg::new("转化金额", "Price"),
            OutcomeKind::Product => Msg::new("销售额", "Sales"),
            OutcomeKind::Revenue => Msg::new("新增效益（收入或节支）", "Revenue or savings"),
            _ => Msg::new("金额", "Amount"),
        }
    }

    /// Whether an entry of this kind must give its amount.
    pub fn needs_amount(self) -> bool {
        matches!(
            self,
            OutcomeKind::Funding | OutcomeKind::Contract | OutcomeKind::Product | OutcomeKind::Revenue
        )
    }

    /// Whether an entry of this kind names who gave, issued or adopted it.
    pub fn has_issuer(self) -> bool {
        matches!(self, OutcomeKind::Award | OutcomeKind::Standard | OutcomeKind::Policy)
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Outcome {
    pub id: i64,
    pub kind: OutcomeKind,
    pub title: String,
    pub occurred_on: NaiveDate,
    /// The organisation that reported it, whose scope it falls in.
    pub organization_id: i64,
    /// In fen (1 万元 = 1,000,000 fen): funding, contract amount, price, sales, revenue.
    pub amount_fen: Option<i64>,
    /// Contracts: the amount received so far, in fen.
    pub received_fen: Option<i64>,
    /// Talents: how many people were trained.
    pub quantity: Option<i64>,
    pub programme: Option<String>,
    pub grantor_level: Option<GrantorLevel>,
    pub contract_kind: Option<ContractKind>,
    pub registration_no: Option<String>,
    /// Registered in the technology market.
    pub market_registered: Option<bool>,
    /// A CN patent application number, normalised: `CN202110123456.5`.
    pub patent_no: Option<String>,
    pub patent_status: Option<PatentStatus>,
    pub transfer_mode: Option<TransferMode>,
    /// Transfers: the enterprise that took the result.
    pub enterprise_id: Option<i64>,
    /// Transfers: used in the city (在衢转化).
    pub in_city: Option<bool>,
    /// Who gave the award, issued the standard or adopted the advice.
    pub issuer: Option<String>,
    pub project_id: Option<i64>,
    pub demand_id: Option<i64>,
    pub match_id: Option<i64>,
    pub platform_id: Option<i64>,
    pub agreement_id: Option<i64>,
    pub result_id: Option<i64>,
    pub report_id: Option<i64>,
    /// The other organisations it counts for.
    pub party_ids: Vec<i64>,
    /// The people it counts for.
    pub person_ids: Vec<i64>,
    pub status: OutcomeStatus,
    /// Why it was returned.
    pub reason: Option<String>,
    pub confirmed_by: Option<String>,
    pub confirmed_on: Option<NaiveDate>,
    pub note: Option<String>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a form or a JSON body gives for an outcome. Which fields are required depends on `kind`:
/// funding — programme, grantor_level, amount; contract — contract_kind, amount; patent —
/// patent_no, patent_status; transfer — transfer_mode, enterprise_id; product, revenue — amount;
/// award, standard, policy — issuer; talent — quantity. Fields of other kinds are dropped.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OutcomeInput {
    #[schema(required, value_type = Option<OutcomeKind>)]
    pub kind: Option<String>,
    #[schema(required, max_length = 300)]
    pub title: Option<String>,
    /// The day it happened; not in the future.
    #[schema(required, value_type = Option<String>, format = Date)]
    pub occurred_on: Option<String>,
    /// The reporting organisation; a unit or an enterprise reports its own.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(required, value_type = Option<i64>, minimum = 1)]
    pub organization_id: Option<String>,
    /// The amount in fen (an integer).
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 0, example = 2000000000)]
    pub amount_fen: Option<String>,
    /// The amount in 万元 as a decimal string, kept exact (at most six decimals); when given it
    /// wins over `amount_fen` (the form sends this one).
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<String>, example = "200")]
    pub amount_wan: Option<String>,
    /// Contracts: received so far, in fen; not more than the amount.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub received_fen: Option<String>,
    /// Contracts: received so far, in 万元 as a decimal string, kept exact; wins over `received_fen`.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<String>, example = "20")]
    pub received_wan: Option<String>,
    /// Talents: people trained (at least 1).
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub quantity: Option<String>,
    #[schema(max_length = 200)]
    pub programme: Option<String>,
    #[schema(value_type = Option<GrantorLevel>)]
    pub grantor_level: Option<String>,
    #[schema(value_type = Option<ContractKind>)]
    pub contract_kind: Option<String>,
    #[schema(max_length = 100)]
    pub registration_no: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<bool>)]
    pub market_registered: Option<String>,
    /// A CN patent application number with its check digit.
    #[schema(example = "CN202110123456.5")]
    pub patent_no: Option<String>,
    #[schema(value_type = Option<PatentStatus>)]
    pub patent_status: Option<String>,
    #[schema(value_type = Option<TransferMode>)]
    pub transfer_mode: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub enterprise_id: Option<String>,
    /// Transfers: used in the city; when not given, whether the enterprise is in the city.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<bool>)]
    pub in_city: Option<String>,
    #[schema(max_length = 200)]
    pub issuer: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub project_id: Option<String>,
    /// Filled from the match, or from the project's demand, when not given.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub demand_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub match_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub platform_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub agreement_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub result_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub report_id: Option<String>,
    /// Other organisations it counts for (a list, or one string separated by commas).
    #[serde(deserialize_with = "de_list")]
    #[schema(value_type = Vec<i64>)]
    pub party_ids: Vec<String>,
    /// People it counts for.
    #[serde(deserialize_with = "de_list")]
    #[schema(value_type = Vec<i64>)]
    pub person_ids: Vec<String>,
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// A validated outcome: only its kind's own fields are kept.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OutcomeData {
    pub kind: OutcomeKind,
    pub title: String,
    pub occurred_on: NaiveDate,
    pub organization_id: i64,
    pub amount: Option<Money>,
    pub received: Option<Money>,
    pub quantity: Option<i64>,
    pub programme: Option<String>,
    pub grantor_level: Option<GrantorLevel>,
    pub contract_kind: Option<ContractKind>,
    pub registration_no: Option<String>,
    pub market_registered: Option<bool>,
    pub patent_no: Option<String>,
    pub patent_status: Option<PatentStatus>,
    pub transfer_mode: Option<TransferMode>,
    pub enterprise_id: Option<i64>,
    pub in_city: Option<bool>,
    pub issuer: Option<String>,
    pub project_id: Option<i64>,
    pub demand_id: Option<i64>,
    pub match_id: Option<i64>,
    pub platform_id: Option<i64>,
    pub agreement_id: Option<i64>,
    pub result_id: Option<i64>,
    pub report_id: Option<i64>,
    pub party_ids: Vec<i64>,
    pub person_ids: Vec<i64>,
    pub note: Option<String>,
}

fn money(fen: &Option<String>, wan: &Option<String>) -> Result<Option<Money>, Msg> {
    if let Some(w) = opt_text(wan) {
        return Money::parse_wan(w).map(Some);
    }
    match opt_text(fen) {
        None => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|f| *f >= 0)
            .map(|f| Some(Money(f)))
            .ok_or_else(|| {
                Msg::new(
                    format!("金额“{s}”无效：应为以分为单位的非负整数"),
                    format!("“{s}” is not a valid amount in fen (a non-negative integer)"),
                )
            }),
    }
}

fn opt_code<T: Copy>(
    v: &Option<String>,
    parse: impl Fn(&str) -> Option<T>,
    all: &[T],
    label: impl Fn(T) -> Msg,
    as_str: impl Fn(T) -> &'static str,
) -> Result<Option<T>, Msg> {
    match opt_text(v) {
        None => Ok(None),
        Some(_) => input::code(v, parse, all, label, as_str).map(Some),
    }
}

fn opt_flag(v: &Option<String>) -> Result<Option<bool>, Msg> {
    match opt_text(v) {
        None => Ok(None),
        Some(_) => crate::demand::flag(v).map(Some),
    }
}

fn need(e: &mut FieldErrors, field: &str, missing: bool, zh: &str, en: &str) {
    if missing {
        e.add(field, Msg::new(zh, en));
    }
}

impl OutcomeInput {
    pub fn from_record(o: &Outcome) -> Self {
        let s = |v: Option<i64>| v.map(|i| i.to_string());
        OutcomeInput {
            kind: Some(o.kind.as_str().into()),
            title: Some(o.title.clone()),
            occurred_on: Some(o.occurred_on.to_string()),
            organization_id: Some(o.organization_id.to_string()),
            amount_fen: s(o.amount_fen),
            amount_wan: None,
            received_fen: s(o.received_fen),
            received_wan: None,
            quantity: s(o.quantity),
            programme: o.programme.clone(),
            grantor_level: o.grantor_level.map(|x| x.as_str().into()),
            contract_kind: o.contract_kind.map(|x| x.as_str().into()),
            registration_no: o.registration_no.clone(),
            market_registered: o.market_registered.map(|b| b.to_string()),
            patent_no: o.patent_no.clone(),
            patent_status: o.patent_status.map(|x| x.as_str().into()),
            transfer_mode: o.transfer_mode.map(|x| x.as_str().into()),
            enterprise_id: s(o.enterprise_id),
            in_city: o.in_city.map(|b| b.to_string()),
            issuer: o.issuer.clone(),
            project_id: s(o.project_id),
            demand_id: s(o.demand_id),
            match_id: s(o.match_id),
            platform_id: s(o.platform_id),
            agreement_id: s(o.agreement_id),
            result_id: s(o.result_id),
            report_id: s(o.report_id),
            party_ids: o.party_ids.iter().map(i64::to_string).collect(),
            person_ids: o.person_ids.iter().map(i64::to_string).collect(),
            note: o.note.clone(),
        }
    }

    pub fn validate(&self) -> Result<OutcomeData, FieldErrors> {
        use OutcomeKind as K;
        let mut e = FieldErrors::new();
        let kind = e.take(
            "kind",
            input::code(
                &self.kind,
                OutcomeKind::parse,
                OutcomeKind::ALL,
                OutcomeKind::label,
                OutcomeKind::as_str,
            ),
        );
        let title = e.take("title", input::text(&self.title, 300));
        let occurred_on = e.take("occurred_on", input::date(&self.occurred_on));
        let organization_id = e.take("organization_id", input::id(&self.organization_id));
        let amount = e
            .take("amount_fen", money(&self.amount_fen, &self.amount_wan))
            .flatten();
        let received = e
            .take("received_fen", money(&self.received_fen, &self.received_wan))
            .flatten();
        let quantity = match opt_text(&self.quantity) {
            None => None,
            Some(q) => e.take(
                "quantity",
                q.parse::<i64>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                    Msg::new(
                        format!("人数“{q}”无效：应为不小于 1 的整数"),
                        format!("“{q}” is not a valid count (a whole number, at least 1)"),
                    )
                }),
            ),
        };
        let programme = e
            .take("programme", input::optional_text(&self.programme, 200))
            .flatten();
        let grantor_level = e
            .take(
                "grantor_level",
                opt_code(
                    &self.grantor_level,
                    GrantorLevel::parse,
                    GrantorLevel::ALL,
                    GrantorLevel::label,
                    GrantorLevel::as_str,
                ),
            )
            .flatten();
        let contract_kind = e
            .take(
                "contract_kind",
                opt_code(
                    &self.contract_kind,
                    ContractKind::parse,
                    ContractKind::ALL,
                    ContractKind::label,
                    ContractKind::as_str,
                ),
            )
            .flatten();
        let registration_no = e
            .take("registration_no", input::optional_text(&self.registration_no, 100))
            .flatten();
        let market_registered = e.take("market_registered", opt_flag(&self.market_registered)).flatten();
        let patent_no = e
            .take(
                "patent_no",
                opt_text(&self.patent_no).map(parse_patent_number).transpose(),
            )
            .flatten();
        let patent_status = e
            .take(
                "patent_status",
                opt_code(
                    &self.patent_status,
                    PatentStatus::parse,
                    PatentStatus::ALL,
                    PatentStatus::label,
                    PatentStatus::as_str,
                ),
            )
            .flatten();
        let transfer_mode = e
            .take(
                "transfer_mode",
                opt_code(
                    &self.transfer_mode,
                    TransferMode::parse,
                    TransferMode::ALL,
                    TransferMode::label,
                    TransferMode::as_str,
                ),
            )
            .flatten();
        let enterprise_id = e
            .take("enterprise_id", input::optional_id(&self.enterprise_id))
            .flatten();
        let in_city = e.take("in_city", opt_flag(&self.in_city)).flatten();
        let issuer = e.take("issuer", input::optional_text(&self.issuer, 200)).flatten();
        let mut link = |f: &str, v: &Option<String>| e.take(f, input::optional_id(v)).flatten();
        let project_id = link("project_id", &self.project_id);
        let demand_id = link("demand_id", &self.demand_id);
        let match_id = link("match_id", &self.match_id);
        let platform_id = link("platform_id", &self.platform_id);
        let agreement_id = link("agreement_id", &self.agreement_id);
        let result_id = link("result_id", &self.result_id);
        let report_id = link("report_id", &self.report_id);
        let party_ids = e.take("party_ids", input::ids(&self.party_ids)).unwrap_or_default();
        let person_ids = e.take("person_ids", input::ids(&self.person_ids)).unwrap_or_default();
        let note = e.take("note", input::optional_text(&self.note, 2000)).flatten();

        let mut d = OutcomeData {
            kind: kind.unwrap_or_default(),
            title: title.unwrap_or_default(),
            occurred_on: occurred_on.unwrap_or_default(),
            organization_id: organization_id.unwrap_or_default(),
            amount,
            project_id,
            demand_id,
            match_id,
            platform_id,
            agreement_id,
            result_id,
            report_id,
            party_ids,
            person_ids,
            note,
            ..Default::default()
        };
        let Some(k) = kind else {
            return Err(e);
        };
        // Each kind keeps its own fields and names what it misses.
        if k.needs_amount() && e.get("amount_fen").is_none() {
            need(
                &mut e,
                "amount_fen",
                amount.is_none(),
                &format!("{}须填写{}（万元）", k.label().zh, k.amount_label().zh),
                &format!("{} needs its amount ({})", k.label().en, k.amount_label().en),
            );
        }
        match k {
            K::Funding => {
                need(
                    &mut e,
                    "programme",
                    programme.is_none(),
                    "科技经费须填写项目计划名称",
                    "Funding needs its programme",
                );
                if e.get("grantor_level").is_none() {
                    need(
                        &mut e,
                        "grantor_level",
                        grantor_level.is_none(),
                        "科技经费须填写下达级别",
                        "Funding needs the grantor's level",
                    );
                }
                (d.programme, d.grantor_level) = (programme, grantor_level);
            }
            K::Contract => {
                if e.get("contract_kind").is_none() {
                    need(
                        &mut e,
                        "contract_kind",
                        contract_kind.is_none(),
                        "技术合同须填写合同类别",
                        "A contract needs its kind",
                    );
                }
                if let (Some(r), Some(a)) = (received, amount)
                    && r > a
                {
                    e.add(
                        "received_fen",
                        Msg::new(
                            "已到账金额不能超过合同金额",
                            "The amount received cannot exceed the contract amount",
                        ),
                    );
                }
                d.contract_kind = contract_kind;
                d.registration_no = registration_no;
                d.received = received;
                d.market_registered = market_registered;
            }
            K::Patent => {
                if e.get("patent_no").is_none() {
                    need(
                        &mut e,
                        "patent_no",
                        patent_no.is_none(),
                        "专利须填写申请号",
                        "A patent needs its application number",
                    );
                }
                if e.get("patent_status").is_none() {
                    need(
                        &mut e,
                        "patent_status",
                        patent_status.is_none(),
                        "专利须填写状态（已申请或已授权）",
                        "Say whether the patent is filed or granted",
                    );
                }
                (d.patent_no, d.patent_status) = (patent_no, patent_status);
            }
            K::Transfer => {
                if e.get("transfer_mode").is_none() {
                    need(
                        &mut e,
                        "transfer_mode",
                        transfer_mode.is_none(),
                        "成果转化须填写转化方式",
                        "A transfer needs its mode",
                    );
                }
                if e.get("enterprise_id").is_none() {
                    need(
                        &mut e,
                        "enterprise_id",
                        enterprise_id.is_none(),
                        "成果转化须填写承接企业",
                        "Say which enterprise took the result",
                    );
                }
                (d.transfer_mode, d.enterprise_id, d.in_city) = (transfer_mode, enterprise_id, in_city);
            }
            K::Award | K::Standard | K::Policy => {
                let (zh, en) = match k {
                    K::Award => ("获奖须填写授奖单位", "An award needs who gave it"),
                    K::Standard => ("标准须填写发布单位", "A standard needs who issued it"),
                    _ => ("决策咨询须填写采纳单位", "Policy advice needs who adopted it"),
                };
                need(&mut e, "issuer", issuer.is_none(), zh, en);
                d.issuer = issuer;
            }
            K::Talent => {
                if e.get("quantity").is_none() {
                    need(
                        &mut e,
                        "quantity",
                        quantity.is_none(),
                        "人才培养须填写培养人数",
                        "Say how many people were trained",
                    );
                }
                d.quantity = quantity;
            }
            K::Product | K::Revenue => {}
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(d)
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct OutcomeFilter {
    /// Words in the title, programme, issuer or numbers.
    pub q: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub year: Option<String>,
    /// Occurred on or after (YYYY-MM-DD).
    pub from: Option<String>,
    /// Occurred on or before.
    pub to: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub project_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub demand_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub platform_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub agreement_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub result_id: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub report_id: Option<String>,
    /// Reported by this organisation or one under it, or counting for one of them.
    #[serde(deserialize_with = "de_opt_string")]
    pub organization_id: Option<String>,
    /// The division code of the reporting organisation: a county (330881), or a city (330800) for
    /// all of its counties.
    pub county: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub in_city: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub archived: Option<String>,
}

/// Per kind: the confirmed entries and the others (reported or returned), counted and summed apart.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct OutcomeTotal {
    pub kind: OutcomeKind,
    pub confirmed_count: i64,
    /// In fen.
    pub confirmed_amount_fen: i64,
    /// Talents trained: people (confirmed).
    pub confirmed_quantity: i64,
    /// Reported or returned, not (yet) confirmed.
    pub unconfirmed_count: i64,
    pub unconfirmed_amount_fen: i64,
    pub unconfirmed_quantity: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(kind: &str) -> OutcomeInput {
        OutcomeInput {
            kind: Some(kind.into()),
            title: Some("某成果".into()),
            occurred_on: Some("2026-03-01".into()),
            organization_id: Some("1".into()),
            ..Default::default()
        }
    }

    #[test]
    fn funding_needs_its_programme_level_and_amount() {
        let e = base("funding").validate().unwrap_err();
        for f in ["programme", "grantor_level", "amount_fen"] {
            assert!(e.get(f).is_some(), "{f}");
        }
        assert!(e.get("amount_fen").unwrap().zh.contains("科技经费"));
    }

    #[test]
    fn a_contract_cannot_have_received_more_than_its_amount() {
        let mut i = base("contract");
        i.contract_kind = Some("development".into());
        i.amount_wan = Some("50".into());
        i.received_wan = Some("60".into());
        assert!(i.validate().unwrap_err().get("received_fen").is_some());
        i.received_wan = Some("20".into());
        let d = i.validate().unwrap();
        assert_eq!(d.amount, Some(Money(50_000_000)));
        assert_eq!(d.received, Some(Money(20_000_000)));
    }

    #[test]
    fn a_patent_number_is_checked_as_in_the_catalogue() {
        let mut i = base("patent");
        i.patent_status = Some("granted".into());
        i.patent_no = Some("CN200410018192.6".into());
        assert!(i.validate().unwrap_err().get("patent_no").is_some());
        i.patent_no = Some("ZL 200410018192.5".into());
        assert_eq!(i.validate().unwrap().patent_no.as_deref(), Some("CN200410018192.5"));
    }

    #[test]
    fn fields_of_other_kinds_are_dropped() {
        let mut i = base("talent");
        i.quantity = Some("12".into());
        i.patent_no = Some("CN200410018192.5".into());
        i.issuer = Some("某部门".into());
        let d = i.validate().unwrap();
        assert_eq!((d.quantity, d.patent_no, d.issuer), (Some(12), None, None));
    }

    #[test]
    fn amount_in_wan_wins_over_fen() {
        let mut i = base("product");
        i.amount_fen = Some("100".into());
        i.amount_wan = Some("1.5".into());
        assert_eq!(i.validate().unwrap().amount, Some(Money(1_500_000)));
        i.amount_wan = None;
        assert_eq!(i.validate().unwrap().amount, Some(Money(100)));
    }

    #[test]
    fn the_office_confirms_or_returns_a_report() {
        use OutcomeStatus::*;
        assert!(Reported.may_become(Confirmed));
        assert!(Reported.may_become(Returned));
        assert!(!Confirmed.may_become(Reported));
        assert!(!Confirmed.may_become(Confirmed));
    }
}
