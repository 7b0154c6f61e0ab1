//! Demands beyond one record at a time: near-duplicates scored for the reviewer ([`duplicates`]),
//! and the all-or-nothing import of a spreadsheet of demands ([`import`]), whose row mapping
//! ([`map_rows`]) is a pure function: a sheet's rows in, each row's demand or each bad cell out.

use crate::Result;
use hezuo_domain::demand::{Demand, DemandData, DemandInput, DemandStatus};
use hezuo_domain::error::RowError;
use hezuo_domain::{FieldErrors, Msg, RecordKind};
use hezuo_store::demands::{DuplicateCandidate, ImportError};
use hezuo_store::{Store, StoreError, Viewer};
use serde::Serialize;
use std::collections::HashMap;

// ---- near-duplicates ----

/// One near-duplicate as the reviewer sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Duplicate {
    pub id: i64,
    pub title: String,
    pub enterprise_id: i64,
    pub status: DemandStatus,
    pub same_enterprise: bool,
    /// Cosine similarity of the segmented texts, 0–1.
    pub similarity: f32,
}

/// The similarity above which another enterprise's demand is shown as a likely duplicate.
const OTHERS_FLOOR: f32 = 0.45;
/// The same enterprise posting twice is likelier, so its demands are shown from a lower similarity.
const SAME_ENTERPRISE_FLOOR: f32 = 0.3;
/// How many are shown.
const SHOWN: usize = 10;

fn text(d: &Demand) -> String {
    format!("{}\n{}", d.title, d.summary)
}

/// Scores `candidates` against `me`: those above their floor, most similar first, at most ten.
pub fn score_duplicates(me: &Demand, candidates: &[DuplicateCandidate]) -> Vec<Duplicate> {
    let mine = text(me);
    let mut out: Vec<Duplicate> = candidates
        .iter()
        .filter_map(|c| {
            let sim = hezuo_search::similarity(&mine, &text(&c.demand));
            let floor = if c.same_enterprise {
                SAME_ENTERPRISE_FLOOR
            } else {
                OTHERS_FLOOR
            };
            (sim >= floor).then(|| Duplicate {
                id: c.demand.id,
                title: c.demand.title.clone(),
                enterprise_id: c.demand.enterprise_id,
                status: c.demand.status,
                same_enterprise: c.same_enterprise,
                similarity: (sim * 1000.0).round() / 1000.0,
            })
        })
        .collect();
    out.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
    out.truncate(SHOWN);
    out
}

/// Near-duplicates of demand `id` among the demands `v` may see (an enterprise compares with its
/// own), scored on a blocking thread.
pub async fn duplicates(store: &Store, v: &Viewer, id: i64) -> Result<Vec<Duplicate>> {
    let me = store.get_demand(v, id).await?;
    let candidates = store.duplicate_candidates(v, id, 2000).await?;
    Ok(tokio::task::spawn_blocking(move || score_duplicates(&me, &candidates)).await?)
}

// ---- import from a spreadsheet ----

/// The import sheet's columns: (header, the DemandInput field it fills, required).
pub const COLUMNS: &[(&str, &str, bool)] = &[
    ("企业（统一社会信用代码或全称）", "enterprise", true),
    ("需求名称", "title", true),
    ("需求概述", "summary", true),
    ("机密详情", "details", false),
    ("行业代码", "industry", false),
    ("技术领域", "field", false),
    ("合作方式", "mode", false),
    ("预算下限（万元）", "budget_min_wan", false),
    ("预算上限（万元）", "budget_max_wan", false),
    ("截止日期", "deadline", false),
    ("绿色通道", "green_channel", false),
    ("征集人", "collected_by", false),
    ("走访日期", "collected_on", false),
];

/// The column header people see for a DemandInput field.
pub fn header_of(field: &str) -> &'static str {
    COLUMNS
        .iter()
        .find(|(_, f, _)| *f == field || (field == "enterprise_id" && *f == "enterprise"))
        .map(|(h, _, _)| *h)
        .unwrap_or("")
}

/// A sheet's rows mapped to demands.
#[derive(Debug, Default)]
pub struct Mapped {
    /// Each data row that holds anything: its row number (the header is row 1) and its demand.
    pub rows: Vec<(usize, DemandData)>,
    /// Every cell that failed, by row and column header; when there is any, nothing may be written.
    pub errors: Vec<RowError>,
    /// The enterprise each row named, for messages about it.
    pub named: HashMap<usize, String>,
}

fn file_error(zh: String, en: String) -> FieldErrors {
    FieldErrors::one("file", Msg::new(zh, en))
}

/// Maps a sheet's rows (the header first) to demands: the columns are found by their headers (in
/// any order; a header without its bracketed part is recognised too), each row's enterprise is
/// looked up by credit code or full name in `enterprises`, and every row is validated as a form
/// would be. A sheet that cannot be read at all (no header, a required column missing, no data
/// row) is an error on the field `file`.
pub fn map_rows(
    rows: &[Vec<String>],
    enterprises: &HashMap<String, i64>,
    campaign: Option<i64>,
) -> Result<Mapped, FieldErrors> {
    let Some((header, body)) = rows.split_first() else {
        return Err(file_error(
            "表格是空的：第 1 行应为表头".into(),
            "The sheet is empty: row 1 must be the header".into(),
        ));
    };
    let norm = |h: &str| h.trim().replace(['(', ')'], "").replace(['（', '）'], "");
    let mut col: HashMap<&str, usize> = HashMap::new();
    let mut missing = Vec::new();
    for (h, field, required) in COLUMNS {
        let short = h.split('（').next().unwrap_or(h);
        match header.iter().position(|x| norm(x) == norm(h) || x.trim() == short) {
            Some(i) => {
                col.insert(field, i);
            }
            None if *required => missing.push(*h),
            None => {}
        }
    }
    if !missing.is_empty() {
        return Err(file_error(
            format!("第 1 行缺少必需的列：{}。请使用导入模板。", missing.join("、")),
            format!(
                "Row 1 lacks required columns: {}. Use the template.",
                missing.join(", ")
            ),
        ));
    }
    let mut out = Mapped::default();
    let mut any = false;
    for (n, r) in body.iter().enumerate() {
        let row = n + 2;
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        any = true;
        let cell = |f: &str| {
            col.get(f)
                .and_then(|i| r.get(*i))
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
        };
        let mut errors = Vec::new();
        let enterprise = cell("enterprise");
        let enterprise_id = match &enterprise {
            Some(e) => {
                out.named.insert(row, e.clone());
                match enterprises.get(e.as_str()) {
                    Some(id) => Some(id.to_string()),
                    None => {
                        errors.push(RowError::new(
                            row,
                            header_of("enterprise"),
                            &Msg::new(
                                format!("找不到企业“{e}”：请填写平台上已登记企业的统一社会信用代码或全称"),
                                format!(
                                    "No enterprise “{e}”: give the credit code or full name of a registered enterprise"
                                ),
                            ),
                        ));
                        None
                    }
                }
            }
            None => None,
        };
        let input = DemandInput {
            title: cell("title"),
            summary: cell("summary"),
            details: cell("details"),
            enterprise_id,
            campaign_id: campaign.map(|c| c.to_string()),
            industry: cell("industry"),
            field: cell("field"),
            budget_min_wan: cell("budget_min_wan"),
            budget_max_wan: cell("budget_max_wan"),
            mode: cell("mode"),
            deadline: cell("deadline"),
            source: Some("import".into()),
            collected_by: cell("collected_by"),
            collected_on: cell("collected_on"),
            green_channel: cell("green_channel"),
            // A sheet carries no consent: the name is shown publicly only once the enterprise agrees.
            public_name: None,
        };
        match input.validate() {
            Ok(d) if errors.is_empty() => out.rows.push((row, d)),
            Ok(_) => {}
            Err(fe) => {
                for (field, m) in fe.0.iter() {
                    // An enterprise that was named but not found is reported once, above.
                    if field == "enterprise_id" && enterprise.is_some() {
                        continue;
                    }
                    errors.push(RowError::new(row, header_of(field), m));
                }
            }
        }
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

/// The answer to an import.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub created: usize,
    pub ids: Vec<i64>,
    /// Every failing cell; when there is any, nothing was written.
    pub errors: Vec<RowError>,
}

impl ImportReport {
    fn refused(errors: Vec<RowError>) -> Self {
        ImportReport {
            created: 0,
            ids: vec![],
            errors,
        }
    }
}

/// Imports a spreadsheet (.xlsx) of demands as `v`, all rows or none: rows that do not map are
/// reported at once without touching the records; rows that do are then written in one
/// transaction, which the records can still refuse (an enterprise outside the importer's scope) —
/// then it is rolled back whole and those rows are named.
pub async fn import(store: &Store, v: &Viewer, xlsx: &[u8], campaign: Option<i64>) -> Result<ImportReport> {
    // Whether the role may add demands at all is the store's rule, asked before the sheet is read,
    // so that someone who may not import learns nothing from its rows.
    hezuo_store::access::check(v, RecordKind::Demand, hezuo_domain::access::Action::Create)?;
    let rows = hezuo_report::sheet::read_rows(xlsx).map_err(|m| FieldErrors::one("file", m))?;
    let enterprises = store.enterprise_lookup().await?;
    let mapped = map_rows(&rows, &enterprises, campaign)?;
    if !mapped.errors.is_empty() {
        return Ok(ImportReport::refused(mapped.errors));
    }
    let sheet = {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(xlsx))
    };
    match store.import_demands(v, &mapped.rows, &sheet).await {
        Ok(ids) => Ok(ImportReport {
            created: ids.len(),
            ids,
            errors: vec![],
        }),
        Err(ImportError::Rows(mut errors)) => {
            for e in &mut errors {
                if e.column == "enterprise_id"
                    && let Some(name) = mapped.named.get(&e.row)
                {
                    e.message = format!("企业“{name}”不存在或不在您的负责范围内");
                    e.message_en = format!("The enterprise “{name}” does not exist or is outside your scope");
                }
                let h = header_of(&e.column);
                if !h.is_empty() {
                    e.column = h.to_string();
                }
            }
            Ok(ImportReport::refused(errors))
        }
        Err(ImportError::Repeated { by, at, ids }) => {
            let at = (at + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M");
            let (n, first) = (ids.len(), ids.first().copied().unwrap_or_default());
            Err(StoreError::Conflict(FieldErrors::one(
                "file",
                Msg::new(
                    format!("这份表格已于 {at} 由 {by} 导入（{n} 条需求，第一条为 #{first}），未再次导入"),
                    format!("This sheet was imported by {by} at {at} ({n} demands, the first #{first}); it was not imported again"),
                ),
            ))
            .into())
        }
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
    }

    fn enterprises() -> HashMap<String, i64> {
        HashMap::from([
            ("91330800MA2XXXXXXX".to_string(), 7),
            ("衢州氟化工有限公司".to_string(), 7),
            ("江山木业有限公司".to_string(), 9),
        ])
    }

    const HEADER: &[&str] = &["企业（统一社会信用代码或全称）", "需求名称", "需求概述"];

    #[test]
    fn rows_map_to_demands_by_header_whatever_the_column_order() {
        let rows = sheet(&[
            &["需求概述", "截止日期", "需求名称", "企业"],
            &[
                "出水氟化物不达标",
                "2026-12-31",
                "含氟废水深度处理",
                "衢州氟化工有限公司",
            ],
            &["", "", "", ""],
            &["板材甲醛释放超标", "", "低醛胶黏剂", "江山木业有限公司"],
        ]);
        let m = map_rows(&rows, &enterprises(), Some(3)).unwrap();
        assert!(m.errors.is_empty(), "{:?}", m.errors);
        let rows: Vec<(usize, &str, i64, Option<i64>)> = m
            .rows
            .iter()
            .map(|(n, d)| (*n, d.title.as_str(), d.enterprise_id, d.campaign_id))
            .collect();
        assert_eq!(
            rows,
            [(2, "含氟废水深度处理", 7, Some(3)), (4, "低醛胶黏剂", 9, Some(3))],
            "the blank row 3 is skipped and keeps the others' numbers"
        );
        assert_eq!(m.rows[0].1.deadline, Some("2026-12-31".parse().unwrap()));
    }

    #[test]
    fn each_bad_cell_is_reported_with_its_row_and_column_header() {
        let rows = sheet(&[
            HEADER,
            &["衢州氟化工有限公司", "含氟废水深度处理", "出水不达标"],
            &["不存在的公司", "", "概述"],
        ]);
        let m = map_rows(&rows, &enterprises(), None).unwrap();
        assert_eq!(m.rows.len(), 1);
        let cells: Vec<(usize, &str)> = m.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(
            cells,
            [(3, "企业（统一社会信用代码或全称）"), (3, "需求名称")],
            "{:?}",
            m.errors
        );
        assert!(m.errors[0].message.contains("找不到企业“不存在的公司”"));
        assert_eq!(m.named.get(&3).map(String::as_str), Some("不存在的公司"));
    }

    #[test]
    fn an_unnamed_enterprise_is_reported_as_a_required_cell_once() {
        let rows = sheet(&[HEADER, &["", "标题", "概述"]]);
        let m = map_rows(&rows, &enterprises(), None).unwrap();
        assert_eq!(m.errors.len(), 1, "{:?}", m.errors);
        assert_eq!(m.errors[0].column, "企业（统一社会信用代码或全称）");
    }

    #[test]
    fn a_sheet_without_a_required_column_or_without_data_is_refused_as_a_whole() {
        let e = map_rows(&sheet(&[&["企业", "需求名称"], &["x", "y"]]), &enterprises(), None).unwrap_err();
        assert!(e.get("file").unwrap().zh.contains("缺少必需的列：需求概述"), "{e}");
        let e = map_rows(&sheet(&[HEADER, &["", " ", ""]]), &enterprises(), None).unwrap_err();
        assert!(e.get("file").unwrap().zh.contains("没有数据行"), "{e}");
        let e = map_rows(&[], &enterprises(), None).unwrap_err();
        assert!(e.get("file").unwrap().zh.contains("第 1 行应为表头"), "{e}");
    }

    #[test]
    fn every_column_has_a_header_people_can_find_by_field() {
        assert_eq!(header_of("enterprise_id"), "企业（统一社会信用代码或全称）");
        assert_eq!(header_of("budget_max_wan"), "预算上限（万元）");
        assert_eq!(header_of("no_such_field"), "");
    }
}
