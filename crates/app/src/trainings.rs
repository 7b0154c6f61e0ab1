//! A training's participants imported from a spreadsheet (.xlsx), all rows or none: [`map_rows`]
//! is a pure function from a sheet's rows to participants or bad cells (named 第N行“列名”), and
//! [`import`] writes them in one transaction — the whole list replaced, or added to. Also the
//! template ([`template`]) people fill in.

use crate::Result;
use hezuo_domain::error::RowError;
use hezuo_domain::training::{ImportMode, PARTICIPANT_COLUMNS, ParticipantData, ParticipantInput, participant_header};
use hezuo_domain::{FieldErrors, Msg, RecordKind};
use hezuo_store::{Store, Viewer};
use serde::Serialize;
use std::collections::HashMap;

/// A sheet's rows mapped to participants.
#[derive(Debug, Default)]
pub struct Mapped {
    /// Each data row that holds anything: its row number (the header is row 1) and its participant.
    pub rows: Vec<(usize, ParticipantData)>,
    /// Every cell that failed, by row and column header; when there is any, nothing may be written.
    pub errors: Vec<RowError>,
}

fn file_error(zh: String, en: String) -> FieldErrors {
    FieldErrors::one("file", Msg::new(zh, en))
}

/// Maps a sheet's rows (the header first) to participants: the columns are found by their Chinese
/// headers (姓名, 单位, 职务, 电话, 是否到课, 学时 — in any order), every row is validated as one
/// participant, against the training's class `hours`. A sheet that cannot be read at all (no
/// header, a required column missing, no data row) is an error on the field `file`.
pub fn map_rows(rows: &[Vec<String>], hours: Option<f64>) -> Result<Mapped, FieldErrors> {
    let Some((header, body)) = rows.split_first() else {
        return Err(file_error(
            "表格是空的：第 1 行应为表头".into(),
            "The sheet is empty: row 1 must be the header".into(),
        ));
    };
    let norm = |h: &str| {
        h.trim()
            .replace(['(', ')', '（', '）', ' ', '　', '*'], "")
            .to_lowercase()
    };
    let mut col: HashMap<&str, usize> = HashMap::new();
    let mut missing = Vec::new();
    for (h, field, required) in PARTICIPANT_COLUMNS {
        // "学时" also matches "学时（小时）", "到课" matches "是否到课".
        match header.iter().position(|x| {
            let (x, h) = (norm(x), norm(h));
            !x.is_empty() && (x.starts_with(&h) || (x.chars().count() >= 2 && h.ends_with(&x)))
        }) {
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
        let input = ParticipantInput {
            name: cell("name"),
            unit: cell("unit"),
            post: cell("post"),
            phone: cell("phone"),
            attended: cell("attended"),
            hours_attended: cell("hours_attended"),
        };
        match input.validate(hours) {
            Ok(d) => out.rows.push((row, d)),
            Err(fe) => {
                // In the sheet's column order, so the list reads left to right.
                let mut cells: Vec<(usize, RowError)> =
                    fe.0.iter()
                        .map(|(field, m)| {
                            let at = col.get(field.as_str()).copied().unwrap_or(usize::MAX);
                            (at, RowError::new(row, participant_header(field), m))
                        })
                        .collect();
                cells.sort_by_key(|(at, _)| *at);
                out.errors.extend(cells.into_iter().map(|(_, e)| e));
            }
        }
    }
    if !any {
        return Err(file_error(
            "表格中没有数据行".into(),
            "The sheet has no data rows".into(),
        ));
    }
    Ok(out)
}

/// One bad cell as people read it: 第12行“电话”：手机号码“1390570”应为以 1 开头的 11 位数字.
pub fn describe(e: &RowError) -> Msg {
    Msg::new(
        format!("第{}行“{}”：{}", e.row, e.column, e.message),
        format!("Row {}, “{}”: {}", e.row, e.column, e.message_en),
    )
}

/// The answer to an import.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ParticipantImport {
    /// Participants written (0 when refused).
    pub imported: usize,
    /// Of them, who attended.
    pub attended: usize,
    /// `replace` or `add`.
    pub mode: String,
    /// Every failing cell; when there is any, nothing was written.
    pub errors: Vec<RowError>,
    /// The same, each as one line: 第N行“列名”：what is wrong.
    pub lines: Vec<String>,
}

impl ParticipantImport {
    fn refused(mode: ImportMode, mut errors: Vec<RowError>) -> Self {
        errors.sort_by_key(|e| e.row);
        ParticipantImport {
            imported: 0,
            attended: 0,
            mode: mode_name(mode).into(),
            lines: errors.iter().map(|e| describe(e).zh).collect(),
            errors,
        }
    }
}

fn mode_name(m: ImportMode) -> &'static str {
    match m {
        ImportMode::Replace => "replace",
        ImportMode::Add => "add",
    }
}

/// Imports a sheet of participants into training `id` as `v`: rows that do not map are reported
/// at once and nothing is touched; rows that do are written in one transaction, which the list can
/// still refuse (someone twice, or already listed when adding) — then nothing is kept and those
/// rows are named.
pub async fn import(store: &Store, v: &Viewer, id: i64, xlsx: &[u8], mode: ImportMode) -> Result<ParticipantImport> {
    // Who may not change the training learns nothing from the sheet: asked before it is read.
    store
        .may_do(v, RecordKind::Training, Some(id), hezuo_domain::access::Action::Update)
        .await?;
    let training = store.get_training(v, id).await?;
    let rows = hezuo_report::sheet::read_rows(xlsx).map_err(|m| FieldErrors::one("file", m))?;
    let mapped = map_rows(&rows, training.hours)?;
    if !mapped.errors.is_empty() {
        return Ok(ParticipantImport::refused(mode, mapped.errors));
    }
    let attended = mapped.rows.iter().filter(|(_, d)| d.attended).count();
    match store.import_participants(v, id, &mapped.rows, mode).await? {
        Ok(n) => Ok(ParticipantImport {
            imported: n,
            attended,
            mode: mode_name(mode).into(),
            errors: vec![],
            lines: vec![],
        }),
        Err(errors) => Ok(ParticipantImport::refused(mode, errors)),
    }
}

/// The import template: the header row and two example rows.
pub fn template() -> Result<Vec<u8>> {
    let header: Vec<&str> = PARTICIPANT_COLUMNS.iter().map(|(h, _, _)| *h).collect();
    let rows = vec![
        ["张伟", "柯城区航埠镇人民政府", "副镇长", "13905701234", "是", "24"],
        ["李丽萍", "江山市贺村镇人民政府", "科技副镇长", "", "否", "0"],
    ]
    .into_iter()
    .map(|r| r.into_iter().map(String::from).collect())
    .collect::<Vec<Vec<String>>>();
    hezuo_report::sheet::write_rows("学员名单", &header, &rows).map_err(crate::Error::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
    }

    const HEADER: &[&str] = &["姓名", "单位", "职务", "电话", "是否到课", "学时"];

    #[test]
    fn rows_map_by_header_in_any_order_and_blank_rows_keep_the_numbers() {
        let rows = sheet(&[
            &["学时（小时）", "单位", "姓名", "是否到课"],
            &["24", "柯城区航埠镇人民政府", "张伟", "是"],
            &["", "", "", ""],
            &["", "衢江区莲花镇人民政府", "王芳", "否"],
        ]);
        let m = map_rows(&rows, Some(24.0)).unwrap();
        assert!(m.errors.is_empty(), "{:?}", m.errors);
        let got: Vec<(usize, &str, bool)> = m.rows.iter().map(|(n, d)| (*n, d.name.as_str(), d.attended)).collect();
        assert_eq!(got, [(2, "张伟", true), (4, "王芳", false)]);
    }

    #[test]
    fn every_bad_cell_is_named_by_row_and_column_in_chinese() {
        let rows = sheet(&[
            HEADER,
            &["张伟", "柯城区航埠镇人民政府", "副镇长", "13905701234", "是", "24"],
            &["", "衢江区", "", "1390570", "也许", "8"],
        ]);
        let m = map_rows(&rows, Some(24.0)).unwrap();
        assert_eq!(m.rows.len(), 1);
        let lines: Vec<String> = m.errors.iter().map(|e| describe(e).zh).collect();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines[0], "第3行“姓名”：此项为必填项");
        assert!(lines[1].starts_with("第3行“电话”：手机号码“1390570”"), "{lines:?}");
        assert!(lines[2].starts_with("第3行“是否到课”：“也许”无法识别"), "{lines:?}");
    }

    #[test]
    fn a_sheet_without_the_name_or_unit_column_or_without_data_is_refused_whole() {
        let e = map_rows(&sheet(&[&["姓名", "职务"], &["张伟", "副镇长"]]), None).unwrap_err();
        assert!(e.get("file").unwrap().zh.contains("缺少必需的列：单位"), "{e}");
        let e = map_rows(&sheet(&[HEADER, &["", "", "", "", "", ""]]), None).unwrap_err();
        assert!(e.get("file").unwrap().zh.contains("没有数据行"));
        assert!(map_rows(&[], None).is_err());
    }

    #[test]
    fn the_template_reads_back_as_its_own_example() {
        let rows = hezuo_report::sheet::read_rows(&template().unwrap()).unwrap();
        let m = map_rows(&rows, Some(24.0)).unwrap();
        assert!(m.errors.is_empty(), "{:?}", m.errors);
        assert_eq!(m.rows.len(), 2);
    }
}
