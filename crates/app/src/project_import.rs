//! The year's project list (年度合作项目清单) imported from the sheet counties and colleges send:
//! [`map_rows`] is a pure function from a sheet's rows (and the names on the platform) to projects
//! or bad cells — each named by its Excel row, column letter and header —, [`import`] writes them
//! all or none through the store, and [`template`] is the sheet to fill in.
//!
//! Units are matched by full name, unified social credit code, organisation code (its 9th–17th
//! characters), a county's division code, or short name — in that order; a name that fits several
//! units is refused with the candidates listed. People are matched by name within the lead unit,
//! then within the co-units.

use crate::Result;
use hezuo_domain::project::ProjectData;
use hezuo_domain::project::ProjectInput;
use hezuo_domain::project_import::{
    COLUMNS, CellError, Column, column_of, name_key, names_column, normalize_date, normalize_year, parse_kind,
    parse_origin, split_names,
};
use hezuo_domain::{FieldErrors, Msg};
use hezuo_store::demands::ImportError;
use hezuo_store::project_import::{ImportLookup, OrgEntry};
use hezuo_store::{Store, StoreError, Viewer};
use serde::Serialize;
use std::collections::HashMap;

/// A sheet's rows mapped to projects.
#[derive(Debug, Default)]
pub struct Mapped {
    /// Each data row that holds anything: its Excel row number and its project.
    pub rows: Vec<(usize, ProjectData)>,
    /// Every bad cell; when there is any, nothing may be written.
    pub errors: Vec<CellError>,
    /// Where each column is in the sheet (field → index), for errors the store finds later.
    pub at: HashMap<&'static str, usize>,
    /// The lead unit each row named, for messages about it.
    pub leads: HashMap<usize, String>,
}

fn file_error(zh: String, en: String) -> FieldErrors {
    FieldErrors::one("file", Msg::new(zh, en))
}

/// The names on the platform, indexed for matching.
pub struct Names<'a> {
    orgs: HashMap<i64, &'a OrgEntry>,
    by_name: HashMap<String, Vec<i64>>,
    by_code: HashMap<String, Vec<i64>>,
    by_region: HashMap<String, Vec<i64>>,
    by_short: HashMap<String, Vec<i64>>,
    people: HashMap<(i64, String), Vec<i64>>,
    batches: HashMap<(i32, String), Vec<i64>>,
    batch_titles: HashMap<i32, Vec<String>>,
    agreements: HashMap<String, Vec<i64>>,
}

fn push(m: &mut HashMap<String, Vec<i64>>, k: String, id: i64) {
    let v = m.entry(k).or_default();
    if !v.contains(&id) {
        v.push(id);
    }
}

impl<'a> Names<'a> {
    pub fn new(l: &'a ImportLookup) -> Self {
        let mut n = Names {
            orgs: HashMap::new(),
            by_name: HashMap::new(),
            by_code: HashMap::new(),
            by_region: HashMap::new(),
            by_short: HashMap::new(),
            people: HashMap::new(),
            batches: HashMap::new(),
            batch_titles: HashMap::new(),
            agreements: HashMap::new(),
        };
        for o in &l.organizations {
            n.orgs.insert(o.id, o);
            push(&mut n.by_name, name_key(&o.name), o.id);
            if let Some(c) = &o.credit_code {
                push(&mut n.by_code, c.to_uppercase(), o.id);
                // The organisation code (组织机构代码) is the credit code's 9th to 17th characters.
                if let Some(oc) = c.get(8..17) {
                    push(&mut n.by_code, oc.to_uppercase(), o.id);
                }
            }
            if let Some(r) = &o.region_code {
                push(&mut n.by_region, r.clone(), o.id);
            }
            if let Some(s) = o.short_name.as_deref().filter(|s| !s.trim().is_empty()) {
                push(&mut n.by_short, name_key(s), o.id);
            }
        }
        for (id, org, name) in &l.people {
            n.people.entry((*org, name_key(name))).or_default().push(*id);
        }
        for (id, year, title) in &l.batches {
            n.batches.entry((*year, name_key(title))).or_default().push(*id);
            n.batch_titles.entry(*year).or_default().push(title.clone());
        }
        for (id, title) in &l.agreements {
            push(&mut n.agreements, name_key(title), *id);
        }
        n
    }

    fn org_name(&self, id: i64) -> String {
        self.orgs.get(&id).map(|o| o.name.clone()).unwrap_or_default()
    }

    /// One candidate as people tell them apart: 化学工程学院（浙江工业大学，#12）.
    fn describe(&self, id: i64) -> String {
        let Some(o) = self.orgs.get(&id) else {
            return format!("#{id}");
        };
        match o.parent_id.and_then(|p| self.orgs.get(&p)) {
            Some(p) => format!("{}（{}，#{id}）", o.name, p.name),
            None => format!("{}（#{id}）", o.name),
        }
    }

    /// The organisation a cell names: by full name, credit or organisation code, division code
    /// (a county's government first), then short name.
    pub fn organization(&self, s: &str) -> Result<i64, Msg> {
        let key = name_key(s);
        let upper = key.to_uppercase();
        let region = self.by_region.get(&key).map(|ids| {
            let govs: Vec<i64> = ids
                .iter()
                .copied()
                .filter(|i| self.orgs.get(i).is_some_and(|o| o.kind == "government"))
                .collect();
            if govs.len() == 1 { govs } else { ids.clone() }
        });
        let tiers = [
            self.by_name.get(&key).cloned(),
            self.by_code.get(&upper).cloned(),
            region,
            self.by_short.get(&key).cloned(),
        ];
        for ids in tiers.into_iter().flatten() {
            match ids.as_slice() {
                [one] => return Ok(*one),
                [] => {}
                many => {
                    let list: Vec<String> = many.iter().take(10).map(|i| self.describe(*i)).collect();
                    return Err(Msg::new(
                        format!(
                            "“{s}”对应多个单位：{}。请改填单位全称或统一社会信用代码",
                            list.join("、")
                        ),
                        format!(
                            "“{s}” names several organisations: {}. Give the full name or the credit code",
                            list.join(", ")
                        ),
                    ));
                }
            }
        }
        Err(Msg::new(
            format!("找不到单位“{s}”：请填写平台上已登记单位的全称、简称或统一社会信用代码"),
            format!("No organisation “{s}”: give the full name, short name or credit code of a registered one"),
        ))
    }

    /// A person named within the lead unit, else within the co-units.
    fn person(&self, s: &str, lead: i64, co: &[i64]) -> Result<i64, Msg> {
        let key = name_key(s);
        for tier in [vec![lead], co.to_vec()] {
            let found: Vec<(i64, i64)> = tier
                .iter()
                .flat_map(|o| {
                    self.people
                        .get(&(*o, key.clone()))
                        .into_iter()
                        .flatten()
                        .map(move |p| (*p, *o))
                })
                .collect();
            match found.as_slice() {
                [(one, _)] => return Ok(*one),
                [] => {}
                many => {
                    let list: Vec<String> = many
                        .iter()
                        .map(|(p, o)| format!("{s}（{}，人员编号 #{p}）", self.org_name(*o)))
                        .collect();
                    return Err(Msg::new(
                        format!("“{s}”对应多名人员：{}。请在平台上区分后再导入", list.join("、")),
                        format!("“{s}” names several people: {}", list.join(", ")),
                    ));
                }
            }
        }
        Err(Msg::new(
            format!("牵头单位和配合单位中找不到人员“{s}”：请先在平台上登记此人，或留空"),
            format!("No person “{s}” in the lead unit or the co-units: register them first, or leave it empty"),
        ))
    }

    fn batch(&self, s: &str, year: Option<i32>) -> Result<Option<i64>, Msg> {
        let Some(year) = year else { return Ok(None) };
        match self.batches.get(&(year, name_key(s))).map(Vec::as_slice) {
            Some([one]) => Ok(Some(*one)),
            Some([_, _, ..]) => Err(Msg::new(
                format!("{year} 年度有多个名为“{s}”的项目清单"),
                format!("Several {year} batches are called “{s}”"),
            )),
            _ => {
                let known = self.batch_titles.get(&year).cloned().unwrap_or_default();
                let hint = if known.is_empty() {
                    format!("平台上还没有 {year} 年度的项目清单")
                } else {
                    format!("{year} 年度的清单有：{}", known.join("、"))
                };
                Err(Msg::new(
                    format!("找不到 {year} 年度的项目清单“{s}”：{hint}；不列入清单可留空"),
                    format!("No {year} batch “{s}”"),
                ))
            }
        }
    }

    fn agreement(&self, s: &str) -> Result<i64, Msg> {
        match self.agreements.get(&name_key(s)).map(Vec::as_slice) {
            Some([one]) => Ok(*one),
            Some([first, ..]) => Err(Msg::new(
                format!("有多份名为“{s}”的合作协议（如 #{first}）"),
                format!("Several agreements are called “{s}”"),
            )),
            _ => Err(Msg::new(
                format!("找不到合作协议“{s}”：请填写平台上已登记协议的名称"),
                format!("No agreement “{s}”"),
            )),
        }
    }
}

/// Maps a sheet's rows to projects: the header is the first row (of the first ten) that has a
/// 项目名称 column — a title line above it is fine —, columns are found by their headers (in any
/// order, by their other names too; other columns are left alone), each row's names are matched
/// in `names`, and every row is validated as the project form would be. A sheet that cannot be
/// read at all (no header, a required column missing, no data row) is an error on `file`.
pub fn map_rows(rows: &[Vec<String>], names: &Names) -> Result<Mapped, FieldErrors> {
    let title_col = column_of("title").expect("the title column");
    let Some(h) = rows
        .iter()
        .take(10)
        .position(|r| r.iter().any(|c| names_column(c, title_col)))
    else {
        return Err(file_error(
            "找不到表头：前 10 行中应有一行含“项目名称”等列名。请使用导入模板。".into(),
            "No header row: one of the first 10 rows must name the columns (项目名称 …). Use the template.".into(),
        ));
    };
    let header = &rows[h];
    let mut at: HashMap<&'static str, usize> = HashMap::new();
    let mut missing = Vec::new();
    for c in COLUMNS {
        match header.iter().position(|x| names_column(x, c)) {
            Some(i) => {
                at.insert(c.field, i);
            }
            None if c.required => missing.push(c.header),
            None => {}
        }
    }
    if !missing.is_empty() {
        return Err(file_error(
            format!(
                "第 {} 行（表头）缺少必需的列：{}。请使用导入模板。",
                h + 1,
                missing.join("、")
            ),
            format!(
                "The header (row {}) lacks required columns: {}. Use the template.",
                h + 1,
                missing.join(", ")
            ),
        ));
    }
    let mut out = Mapped {
        at: at.clone(),
        ..Default::default()
    };
    let mut any = false;
    for (n, r) in rows.iter().enumerate().skip(h + 1) {
        let row = n + 1;
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        any = true;
        let cell = |f: &str| {
            at.get(f)
                .and_then(|i| r.get(*i))
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
        };
        let mut errors: Vec<CellError> = Vec::new();
        let mut bad = |field: &str, m: Msg| {
            let c: &Column = column_of(field).expect("a known field");
            errors.push(CellError::new(row, c.header, at.get(c.field).copied(), &m));
        };
        let kind = cell("kind").map(|k| parse_kind(&k).map(|k| k.as_str().to_string()).unwrap_or(k));
        let origin = cell("origin").map(|k| parse_origin(&k).map(|k| k.as_str().to_string()).unwrap_or(k));
        let year = cell("batch_year").map(|y| normalize_year(&y));
        let lead = cell("lead_unit").and_then(|s| {
            out.leads.insert(row, s.clone());
            names.organization(&s).map_err(|m| bad("lead_unit", m)).ok()
        });
        let mut co = Vec::new();
        for s in cell("co_units").map(|s| split_names(&s)).unwrap_or_default() {
            match names.organization(&s) {
                Ok(id) if Some(id) == lead => bad(
                    "co_units",
                    Msg::new(
                        format!("“{s}”已是牵头单位，不能同时是配合单位"),
                        format!("“{s}” is the lead unit; it cannot also be a co-unit"),
                    ),
                ),
                Ok(id) if !co.contains(&id) => co.push(id),
                Ok(_) => {}
                Err(m) => bad("co_units", m),
            }
        }
        let person = match (cell("responsible_person"), lead) {
            (Some(s), Some(l)) => names.person(&s, l, &co).map_err(|m| bad("responsible_person", m)).ok(),
            _ => None,
        };
        let batch = match cell("batch") {
            Some(s) => names
                .batch(&s, year.as_deref().and_then(|y| y.parse().ok()))
                .map_err(|m| bad("batch", m))
                .ok()
                .flatten(),
            None => None,
        };
        let agreement = cell("agreement").and_then(|s| names.agreement(&s).map_err(|m| bad("agreement", m)).ok());
        let input = ProjectInput {
            title: cell("title"),
            kind,
            batch_year: year,
            batch_id: batch.map(|b| b.to_string()),
            // A unit named but not found is reported above; the form's "required" only when none was named.
            lead_unit_id: lead
                .map(|l| l.to_string())
                .or_else(|| cell("lead_unit").map(|_| "0".into())),
            co_unit_ids: co.iter().map(|c| c.to_string()).collect(),
            responsible_person_id: person.map(|p| p.to_string()),
            origin,
            agreement_id: agreement.map(|a| a.to_string()),
            origin_note: cell("origin_note"),
            contract_amount_wan: cell("contract_amount_wan"),
            funding_won_wan: cell("funding_won_wan"),
            status: None,
            start_on: cell("start_on").map(|d| normalize_date(&d)),
            end_on: cell("end_on").map(|d| normalize_date(&d)),
            summary: cell("summary"),
            create_anyway: None,
        };
        let named_lead = cell("lead_unit").is_some();
        match input.validate() {
            Ok(d) if errors.is_empty() => out.rows.push((row, d)),
            Ok(_) => {}
            Err(fe) => {
                for (field, m) in fe.0.iter() {
                    if field == "lead_unit_id" && named_lead && lead.is_none() {
                        continue;
                    }
                    // An agreement named but not found is reported once, above.
                    if field == "agreement_id" && cell("agreement").is_some() && agreement.is_none() {
                        continue;
                    }
                    let c = column_of(field).unwrap_or(title_col);
                    errors.push(CellError::new(row, c.header, at.get(c.field).copied(), m));
                }
            }
        }
        // In the sheet's column order, so a row's errors read left to right.
        errors.sort_by_key(|e| letter_order(&e.letter));
        out.errors.extend(errors);
    }
    if !any {
        return Err(file_error(
            "表格中没有数据行".into(),
            "The sheet has no data rows".into(),
        ));
    }
    Ok(out)
}

/// A column letter's place (A = 1, AA = 27); columns the sheet lacks last.
fn letter_order(l: &str) -> usize {
    if l.is_empty() {
        return usize::MAX / 2;
    }
    l.bytes().fold(0, |n, b| n * 26 + (b - b'A' + 1) as usize)
}

/// The answer to an import, as the demand import answers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectImport {
    /// Projects written (0 when refused).
    pub created: usize,
    pub ids: Vec<i64>,
    /// Every bad cell; when there is any, nothing was written.
    pub errors: Vec<CellError>,
}

impl ProjectImport {
    fn refused(mut errors: Vec<CellError>) -> Self {
        errors.sort_by_key(|e| (e.row, letter_order(&e.letter)));
        ProjectImport {
            created: 0,
            ids: vec![],
            errors,
        }
    }
}

/// Imports the year's project list (.xlsx) as `v`, all rows or none: rows that do not map are
/// reported at once and nothing is touched; rows that do are written in one transaction, which the
/// records can still refuse (a lead unit outside the importer's scope, a twin) — then nothing is
/// kept and those rows are named.
pub async fn import(store: &Store, v: &Viewer, xlsx: &[u8]) -> Result<ProjectImport> {
    // Who may not add projects learns nothing from the sheet: asked before it is read.
    hezuo_store::access::check(
        v,
        hezuo_domain::RecordKind::Project,
        hezuo_domain::access::Action::Create,
    )?;
    let rows = hezuo_report::sheet::read_rows(xlsx).map_err(|m| FieldErrors::one("file", m))?;
    let lookup = store.project_import_lookup().await?;
    let names = Names::new(&lookup);
    let mapped = map_rows(&rows, &names)?;
    if !mapped.errors.is_empty() {
        return Ok(ProjectImport::refused(mapped.errors));
    }
    let sheet = {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(xlsx))
    };
    match store.import_projects(v, &mapped.rows, &sheet).await {
        Ok(ids) => Ok(ProjectImport {
            created: ids.len(),
            ids,
            errors: vec![],
        }),
        Err(ImportError::Rows(errors)) => Ok(ProjectImport::refused(
            errors
                .into_iter()
                .map(|e| {
                    let c = column_of(&e.column).unwrap_or(&COLUMNS[0]);
                    let mut m = Msg::new(e.message, e.message_en);
                    if e.column == "lead_unit_id"
                        && let Some(name) = mapped.leads.get(&e.row)
                    {
                        m = Msg::new(
                            format!("牵头单位“{name}”不在您的负责范围内：只能导入本辖区单位牵头的项目"),
                            format!(
                                "The lead unit “{name}” is outside your scope: import only projects led by your units"
                            ),
                        );
                    }
                    CellError::new(e.row, c.header, mapped.at.get(c.field).copied(), &m)
                })
                .collect(),
        )),
        Err(ImportError::Repeated { by, at, ids }) => {
            let at = (at + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M");
            let (n, first) = (ids.len(), ids.first().copied().unwrap_or_default());
            Err(StoreError::Conflict(FieldErrors::one(
                "file",
                Msg::new(
                    format!("这份表格已于 {at} 由 {by} 导入（{n} 个项目，第一个为 #{first}），未再次导入"),
                    format!("This sheet was imported by {by} at {at} ({n} projects, the first #{first}); it was not imported again"),
                ),
            ))
            .into())
        }
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

/// The template's example row (a real-looking project; the units must exist to import it).
pub const EXAMPLE: [&str; 15] = [
    "氟硅新材料联合研发中心建设",
    "平台建设",
    "2026",
    "",
    "江山市",
    "化学工程学院",
    "",
    "200",
    "35.5",
    "2026-03-01",
    "2027-12-31",
    "共建氟硅新材料联合研发中心，开展含氟精细化学品合成工艺研究。",
    "申报建议",
    "",
    "",
];

/// A sheet of projects with the template's header (the template itself, the bench, the tests).
pub fn sheet(rows: &[Vec<String>]) -> Result<Vec<u8>> {
    let header: Vec<&str> = COLUMNS.iter().map(|c| c.header).collect();
    hezuo_report::sheet::write_rows("合作项目清单", &header, rows).map_err(crate::Error::Internal)
}

/// A workbook's first sheet as rows of text (what [`map_rows`] reads).
pub fn read_sheet(xlsx: &[u8]) -> Result<Vec<Vec<String>>, Msg> {
    hezuo_report::sheet::read_rows(xlsx)
}

/// The import template: the header row (A 项目名称 … J 开始日期 …) and one example row.
pub fn template() -> Result<Vec<u8>> {
    sheet(&[EXAMPLE.iter().map(|s| s.to_string()).collect()])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup() -> ImportLookup {
        let org = |id: i64,
                   parent: Option<i64>,
                   kind: &str,
                   name: &str,
                   short: Option<&str>,
                   code: Option<&str>,
                   region: Option<&str>| OrgEntry {
            id,
            parent_id: parent,
            kind: kind.into(),
            name: name.into(),
            short_name: short.map(Into::into),
            credit_code: code.map(Into::into),
            region_code: region.map(Into::into),
        };
        ImportLookup {
            organizations: vec![
                org(1, None, "government", "衢州市", None, None, Some("330800")),
                org(2, Some(1), "government", "江山市", None, None, Some("330881")),
                org(
                    3,
                    Some(2),
                    "department",
                    "江山市科技局",
                    Some("科技局"),
                    None,
                    Some("330881"),
                ),
                org(
                    4,
                    None,
                    "university",
                    "浙江工业大学",
                    Some("浙工大"),
                    Some("12100000470095016Q"),
                    None,
                ),
                org(5, Some(4), "college", "化学工程学院", None, None, None),
                org(6, None, "university", "衢州学院", None, None, None),
                org(7, Some(6), "college", "化学工程学院", None, None, None),
                org(8, Some(1), "department", "衢州市科技局", Some("科技局"), None, None),
            ],
            people: vec![(11, 3, "王建国".into()), (12, 5, "李红".into()), (13, 5, "李红".into())],
            batches: vec![(21, 2026, "2026年度市校合作项目清单".into())],
            agreements: vec![(31, "市校全面合作协议".into())],
        }
    }

    fn sheet(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
    }

    const HEADER: &[&str] = &[
        "项目名称",
        "项目类别",
        "年度",
        "牵头单位",
        "配合单位",
        "负责人",
        "开始日期",
    ];

    #[test]
    fn units_are_found_by_name_code_division_or_short_name_and_ambiguity_lists_the_candidates() {
        let l = lookup();
        let n = Names::new(&l);
        assert_eq!(n.organization("江山市科技局"), Ok(3));
        assert_eq!(n.organization("12100000470095016Q"), Ok(4));
        assert_eq!(n.organization("470095016"), Ok(4), "the organisation code");
        assert_eq!(n.organization("330881"), Ok(2), "a division code names its government");
        assert_eq!(n.organization("浙工大"), Ok(4));
        let m = n.organization("化学工程学院").unwrap_err();
        assert!(
            m.zh.contains("化学工程学院（浙江工业大学，#5）") && m.zh.contains("化学工程学院（衢州学院，#7）"),
            "{}",
            m.zh
        );
        assert!(n.organization("科技局").unwrap_err().zh.contains("对应多个单位"));
        assert!(
            n.organization("不存在局")
                .unwrap_err()
                .zh
                .contains("找不到单位“不存在局”")
        );
    }

    #[test]
    fn rows_map_with_a_title_line_above_the_header_and_keep_their_excel_row_numbers() {
        let l = lookup();
        let rows = sheet(&[
            &["2026年度市校合作项目清单"],
            HEADER,
            &[
                "氟硅新材料研发",
                "研究类",
                "2026年",
                "江山市科技局",
                "浙江工业大学",
                "王建国",
                "2026/3/1",
            ],
            &["", "", "", "", "", "", ""],
            &["乡村规划", "民生", "2026", "330881", "", "", ""],
        ]);
        let m = map_rows(&rows, &Names::new(&l)).unwrap();
        assert!(m.errors.is_empty(), "{:?}", m.errors);
        let got: Vec<(usize, i64, Vec<i64>, Option<i64>)> = m
            .rows
            .iter()
            .map(|(r, d)| (*r, d.lead_unit_id, d.co_unit_ids.clone(), d.responsible_person_id))
            .collect();
        assert_eq!(got, [(3, 3, vec![4], Some(11)), (5, 2, vec![], None)]);
        assert_eq!(m.rows[0].1.start_on, Some("2026-03-01".parse().unwrap()));
    }

    #[test]
    fn every_bad_cell_is_named_by_row_letter_and_header() {
        let l = lookup();
        let rows = sheet(&[
            HEADER,
            &["好项目", "研究类", "2026", "江山市", "", "", "2026-03-01"],
            &["坏项目", "其他", "2026", "化学工程学院", "", "李红", "2026-02-30"],
        ]);
        let m = map_rows(&rows, &Names::new(&l)).unwrap();
        assert_eq!(m.rows.len(), 1);
        let cells: Vec<&str> = m.errors.iter().map(|e| e.cell.as_str()).collect();
        assert_eq!(cells, ["B3", "D3", "G3"], "{:?}", m.errors);
        assert!(m.errors[1].message.contains("对应多个单位"));
        assert!(
            m.errors[2].line().zh.starts_with("第3行 G列“开始日期”："),
            "{:?}",
            m.errors[2]
        );
    }

    #[test]
    fn a_person_twice_in_the_lead_unit_is_ambiguous_and_a_stranger_is_not_found() {
        let l = lookup();
        let n = Names::new(&l);
        assert!(n.person("李红", 5, &[]).unwrap_err().zh.contains("对应多名人员"));
        assert_eq!(n.person("王建国", 2, &[3]), Ok(11), "found in a co-unit");
        assert!(n.person("赵六", 2, &[3]).unwrap_err().zh.contains("找不到人员“赵六”"));
    }

    #[test]
    fn a_sheet_without_a_required_column_or_without_data_is_refused_whole() {
        let l = lookup();
        let n = Names::new(&l);
        let e = map_rows(&sheet(&[&["项目名称", "年度"], &["x", "2026"]]), &n).unwrap_err();
        assert!(
            e.get("file").unwrap().zh.contains("缺少必需的列：项目类别、牵头单位"),
            "{e}"
        );
        let e = map_rows(&sheet(&[HEADER, &["", "", "", "", "", "", ""]]), &n).unwrap_err();
        assert!(e.get("file").unwrap().zh.contains("没有数据行"));
        assert!(map_rows(&sheet(&[&["序号", "名单"]]), &n).is_err());
    }

    #[test]
    fn the_template_reads_back_with_its_header_and_example() {
        let rows = hezuo_report::sheet::read_rows(&template().unwrap()).unwrap();
        assert_eq!(rows[0][0], "项目名称");
        assert_eq!(rows[0][9], "开始日期");
        assert_eq!(rows[1][1], "平台建设");
    }
}
