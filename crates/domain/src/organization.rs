//! Organisations (单位): a tree of governments, departments, universities, colleges, institutes,
//! enterprises, vocational schools and platforms, with division, credit and industry codes.

use crate::codes::{division_name, industry_name, parse_credit_code, parse_division, parse_industry};
use crate::input::{self, de_opt_string, opt_text};
use crate::{FieldErrors, Msg, code_enum};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

code_enum!(
    /// What an organisation is; decides which codes it must carry.
    OrgKind {
        Government = "government", "政府", "Government";
        Department = "department", "部门", "Department";
        University = "university", "高校", "University";
        College = "college", "学院", "College";
        Institute = "institute", "研究院所/实验室", "Research institute or lab";
        Enterprise = "enterprise", "企业", "Enterprise";
        VocationalSchool = "vocational_school", "职业院校", "Vocational school";
        Platform = "platform", "创新平台", "Innovation platform";
    }
);

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Organization {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: OrgKind,
    pub name: String,
    pub short_name: Option<String>,
    /// GB/T 2260 division code, e.g. 330881.
    pub region_code: Option<String>,
    /// 统一社会信用代码 (GB 32100), required for enterprises.
    pub credit_code: Option<String>,
    /// GB/T 4754 section or division, e.g. C26; required for enterprises.
    pub industry_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Organization {
    pub fn region_name(&self) -> Option<String> {
        self.region_code.as_deref().and_then(division_name)
    }
    pub fn industry_name(&self) -> Option<&'static str> {
        self.industry_code.as_deref().and_then(industry_name)
    }
    pub fn display_name(&self) -> &str {
        &self.name
    }
}

/// What a form or a JSON body gives for an organisation; every field as text, validated by `validate`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OrganizationInput {
    /// The organisation it sits under; required for a college (its university).
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub parent_id: Option<String>,
    #[schema(required, value_type = Option<OrgKind>)]
    pub kind: Option<String>,
    #[schema(required, max_length = 200)]
    pub name: Option<String>,
    #[schema(max_length = 50)]
    pub short_name: Option<String>,
    /// GB/T 2260 division code (six digits, e.g. 330881 for 江山市); inside Zhejiang, a listed one.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(pattern = r"^[0-9]{6}$", example = "330881")]
    pub region_code: Option<String>,
    /// 统一社会信用代码 (GB 32100): 18 characters with a valid check character (never I, O, S, V, Z;
    /// lower case is accepted); required for an enterprise.
    #[schema(
        pattern = r"^[0-9A-HJ-NP-RTUW-Ya-hj-np-rtuw-y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Ya-hj-np-rtuw-y]{10}$",
        example = "12100000470095016Q"
    )]
    pub credit_code: Option<String>,
    /// GB/T 4754 section (`C`) or division (`C26`, or `26`); required for an enterprise.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(pattern = r"^([A-Ta-t]|[A-Ta-t]?[0-9]{2})$", example = "C26")]
    pub industry_code: Option<String>,
    #[schema(max_length = 300)]
    pub address: Option<String>,
    /// Digits with `+ - ( )` and spaces, at least five digits.
    #[serde(deserialize_with = "de_opt_string")]
    #[schema(max_length = 40, pattern = r"^[0-9+() -]+$")]
    pub phone: Option<String>,
    #[schema(max_length = 5000)]
    pub description: Option<String>,
}

/// A validated organisation, ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationData {
    pub parent_id: Option<i64>,
    pub kind: OrgKind,
    pub name: String,
    pub short_name: Option<String>,
    pub region_code: Option<String>,
    pub credit_code: Option<String>,
    pub industry_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
}

impl OrganizationInput {
    pub fn from_record(o: &Organization) -> Self {
        OrganizationInput {
            parent_id: o.parent_id.map(|i| i.to_string()),
            kind: Some(o.kind.as_str().into()),
            name: Some(o.name.clone()),
            short_name: o.short_name.clone(),
            region_code: o.region_code.clone(),
            credit_code: o.credit_code.clone(),
            industry_code: o.industry_code.clone(),
            address: o.address.clone(),
            phone: o.phone.clone(),
            description: o.description.clone(),
        }
    }

    /// Checks each field on its own; the tree (parent exists, no cycle) is checked by the store.
    pub fn validate(&self) -> Result<OrganizationData, FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = e.take(
            "kind",
            input::code(
                &self.kind,
                OrgKind::parse,
                OrgKind::ALL,
                OrgKind::label,
                OrgKind::as_str,
            ),
        );
        let name = e.take("name", input::text(&self.name, 200));
        let short_name = e.take("short_name", input::optional_text(&self.short_name, 50));
        let parent_id = e.take("parent_id", input::optional_id(&self.parent_id));
        let region_code = e.take(
            "region_code",
            opt_text(&self.region_code).map(parse_division).transpose(),
        );
        let credit_code = e.take(
            "credit_code",
            opt_text(&self.credit_code).map(parse_credit_code).transpose(),
        );
        let industry_code = e.take(
            "industry_code",
            opt_text(&self.industry_code).map(parse_industry).transpose(),
        );
        let address = e.take("address", input::optional_text(&self.address, 300));
        let phone = e.take("phone", input::phone(&self.phone));
        let description = e.take("description", input::optional_text(&self.description, 5000));
        if kind == Some(OrgKind::Enterprise) {
            if credit_code == Some(None) {
                e.add(
                    "credit_code",
                    Msg::new(
                        "企业必须填写统一社会信用代码",
                        "An enterprise needs its unified social credit code",
                    ),
                );
            }
            if industry_code == Some(None) {
                e.add(
                    "industry_code",
                    Msg::new(
                        "企业必须填写国民经济行业分类代码",
                        "An enterprise needs its GB/T 4754 industry code",
                    ),
                );
            }
        }
        if kind == Some(OrgKind::College) && parent_id == Some(None) {
            e.add(
                "parent_id",
                Msg::new("学院必须隶属于一所高校", "A college must sit under a university"),
            );
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(OrganizationData {
            parent_id: parent_id.flatten(),
            kind: kind.expect("checked"),
            name: name.expect("checked"),
            short_name: short_name.flatten(),
            region_code: region_code.flatten(),
            credit_code: credit_code.flatten(),
            industry_code: industry_code.flatten(),
            address: address.flatten(),
            phone: phone.flatten(),
            description: description.flatten(),
        })
    }
}

/// Filters users apply to the organisation list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct OrganizationFilter {
    /// Part of the name or short name.
    pub q: Option<String>,
    /// One of the organisation kinds.
    pub kind: Option<String>,
    /// Direct children of this organisation.
    #[serde(deserialize_with = "de_opt_string")]
    pub parent_id: Option<String>,
    /// Division code; a city code (e.g. 330800) also matches its counties.
    #[serde(deserialize_with = "de_opt_string")]
    pub region_code: Option<String>,
    /// GB/T 4754 section (C) or division (C26).
    pub industry_code: Option<String>,
    /// `true` to include archived organisations.
    #[serde(deserialize_with = "de_opt_string")]
    pub archived: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enterprise() -> OrganizationInput {
        OrganizationInput {
            kind: Some("enterprise".into()),
            name: Some("浙江巨化股份有限公司".into()),
            region_code: Some("330802".into()),
            credit_code: Some("12100000470095016Q".into()),
            industry_code: Some("26".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_valid_enterprise_is_accepted_with_codes_normalised() {
        let d = enterprise().validate().unwrap();
        assert_eq!(d.industry_code.as_deref(), Some("C26"));
    }

    #[test]
    fn an_enterprise_without_credit_or_industry_code_names_both_fields() {
        let mut i = enterprise();
        i.credit_code = None;
        i.industry_code = Some(" ".into());
        let e = i.validate().unwrap_err();
        assert!(e.get("credit_code").is_some());
        assert!(e.get("industry_code").is_some());
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let i = OrganizationInput {
            kind: Some("castle".into()),
            name: None,
            region_code: Some("123".into()),
            credit_code: Some("XYZ".into()),
            ..Default::default()
        };
        let e = i.validate().unwrap_err();
        for f in ["kind", "name", "region_code", "credit_code"] {
            assert!(e.get(f).is_some(), "{f} missing in {e}");
        }
        assert!(e.get("kind").unwrap().zh.contains("企业（enterprise）"));
    }

    #[test]
    fn a_college_needs_a_parent() {
        let i = OrganizationInput {
            kind: Some("college".into()),
            name: Some("计算机学院".into()),
            ..Default::default()
        };
        assert!(i.validate().unwrap_err().get("parent_id").is_some());
    }
}
