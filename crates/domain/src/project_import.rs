//! The year's project list (年度合作项目清单) as counties and colleges send it: the sheet's columns,
//! how their headers are recognised, the cells people write in their own way (dates with slashes or
//! 年月日, kinds by their Chinese names, several units in one cell) and a bad cell named by its
//! Excel row, column letter and header. Pure: the app maps a sheet with these, the store writes it.

use crate::Msg;
use crate::project::{ProjectKind, ProjectOrigin};
use serde::Serialize;

/// One column of the sheet.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The header the template writes.
    pub header: &'static str,
    /// Which part of the project it fills (the `ProjectInput` field, or the name it is matched by).
    pub field: &'static str,
    pub required: bool,
    /// Other headers the same column goes by in the sheets people send.
    pub aliases: &'static [&'static str],
    /// What to write, for the template's notes and the import page.
    pub note: &'static str,
}

const fn col(
    header: &'static str,
    field: &'static str,
    required: bool,
    aliases: &'static [&'static str],
    note: &'static str,
) -> Column {
    Column {
        header,
        field,
        required,
        aliases,
        note,
    }
}

/// The columns of the template, in its order (A, B, C …). A sheet may have them in any order, and
/// other columns (序号, 备注 …) are left alone.
pub const COLUMNS: &[Column] = &[
    col("项目名称", "title", true, &["名称", "合作项目名称"], "不超过 200 字"),
    col(
        "项目类别",
        "kind",
        true,
        &["类别", "项目类型", "类型"],
        "研究类、工科类、人才培养、文化、民生、平台建设、智力服务",
    ),
    col(
        "年度",
        "batch_year",
        true,
        &["批次年度", "项目年度", "清单年度"],
        "四位年份，如 2026",
    ),
    col(
        "所属清单",
        "batch",
        false,
        &["批次", "所属批次", "年度清单", "清单"],
        "平台上该年度项目清单的名称；不填则暂不列入清单",
    ),
    col(
        "牵头单位",
        "lead_unit",
        true,
        &["责任单位", "牵头责任单位"],
        "单位全称、简称、统一社会信用代码、组织机构代码或行政区划代码（县市区政府）",
    ),
    col(
        "配合单位",
        "co_units",
        false,
        &[
            "合作单位",
            "参与单位",
            "高校学院",
            "合作高校",
            "合作单位/高校学院",
            "配合单位/高校学院",
        ],
        "可填多个，用顿号“、”或逗号分隔",
    ),
    col(
        "责任人",
        "responsible_person",
        false,
        &["负责人", "项目负责人"],
        "姓名，须是牵头单位或配合单位已登记的人员",
    ),
    col(
        "合同金额（万元）",
        "contract_amount_wan",
        false,
        &["合同金额", "合同额"],
        "数字，单位万元，最多六位小数",
    ),
    col(
        "争取经费（万元）",
        "funding_won_wan",
        false,
        &["争取经费", "到位经费", "经费"],
        "数字，单位万元，最多六位小数",
    ),
    col(
        "开始日期",
        "start_on",
        false,
        &["开始时间", "起始日期", "实施开始日期"],
        "如 2026-03-01，也可写 2026/3/1、2026年3月1日",
    ),
    col(
        "计划完成日期",
        "end_on",
        false,
        &["完成日期", "结束日期", "计划完成时间", "完成时间"],
        "不早于开始日期",
    ),
    col(
        "主要内容",
        "summary",
        false,
        &["项目内容", "建设内容", "主要建设内容", "项目简介", "主要内容及目标"],
        "项目主要内容与目标",
    ),
    col(
        "项目来源",
        "origin",
        false,
        &["来源"],
        "企业需求、合作协议、申报建议；不填为申报建议",
    ),
    col(
        "合作协议",
        "agreement",
        false,
        &["所属协议", "依据协议"],
        "来源为合作协议时填写协议名称",
    ),
    col("来源说明", "origin_note", false, &["备注说明"], "不超过 1000 字"),
];

/// The column of a field (`ProjectInput`'s name or the import's own: `lead_unit`, `co_units` …).
pub fn column_of(field: &str) -> Option<&'static Column> {
    let f = match field {
        "lead_unit_id" => "lead_unit",
        "co_unit_ids" => "co_units",
        "responsible_person_id" => "responsible_person",
        "batch_id" => "batch",
        "agreement_id" => "agreement",
        // A twin of an existing project is reported on its title.
        "create_anyway" | "status" => "title",
        other => other,
    };
    COLUMNS.iter().find(|c| c.field == f)
}

/// A header as compared: no spaces, no asterisk, no bracketed part (`合同金额（万元）` → `合同金额`).
pub fn header_key(h: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for ch in h.chars() {
        match ch {
            '（' | '(' => depth += 1,
            '）' | ')' => depth = (depth - 1).max(0),
            c if depth == 0 && !c.is_whitespace() && c != '*' && c != '＊' => out.push(c),
            _ => {}
        }
    }
    out
}

/// Whether a header cell names this column.
pub fn names_column(cell: &str, c: &Column) -> bool {
    let k = header_key(cell);
    !k.is_empty() && (k == header_key(c.header) || c.aliases.iter().any(|a| header_key(a) == k))
}

/// The spreadsheet's letter for a column counted from 0: A … Z, AA …
pub fn letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// One bad cell, named as people find it in Excel: row 7, column J (开始日期).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CellError {
    /// The Excel row number (the header is usually row 1).
    pub row: usize,
    /// The column's header, as the demand import names it.
    pub column: String,
    /// The column's letter in the sheet (J); empty when the sheet lacks the column.
    pub letter: String,
    /// The cell's address (J7); empty when the sheet lacks the column.
    pub cell: String,
    pub message: String,
    pub message_en: String,
}

impl CellError {
    pub fn new(row: usize, column: &str, at: Option<usize>, m: &Msg) -> CellError {
        let letter = at.map(letter).unwrap_or_default();
        CellError {
            row,
            column: column.to_string(),
            cell: if letter.is_empty() {
                String::new()
            } else {
                format!("{letter}{row}")
            },
            letter,
            message: m.zh.clone(),
            message_en: m.en.clone(),
        }
    }

    /// The error as one line: 第7行 J列“开始日期”：….
    pub fn line(&self) -> Msg {
        let (zh_at, en_at) = if self.letter.is_empty() {
            (String::new(), String::new())
        } else {
            (format!(" {}列", self.letter), format!(", column {}", self.letter))
        };
        Msg::new(
            format!("第{}行{zh_at}“{}”：{}", self.row, self.column, self.message),
            format!("Row {}{en_at} “{}”: {}", self.row, self.column, self.message_en),
        )
    }
}

/// A date as people write it in a sheet — 2026-3-1, 2026/3/1, 2026.3.1, 2026年3月1日 — as
/// YYYY-MM-DD; anything else is given back as it was, for the validation to refuse by name.
pub fn normalize_date(s: &str) -> String {
    let t = s.trim().trim_end_matches('日');
    let parts: Vec<&str> = t.split(['-', '/', '.', '年', '月']).collect();
    if let [y, m, d] = parts.as_slice()
        && y.len() == 4
        && [y, m, d]
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()))
        && let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>())
        && chrono::NaiveDate::from_ymd_opt(y, m, d).is_some()
    {
        return format!("{y:04}-{m:02}-{d:02}");
    }
    s.trim().to_string()
}

/// A year as written: 2026, 2026年, 2026年度.
pub fn normalize_year(s: &str) -> String {
    s.trim()
        .trim_end_matches('度')
        .trim_end_matches('年')
        .trim()
        .to_string()
}

fn by_label<T: Copy>(s: &str, all: &[T], label: impl Fn(T) -> Msg, code: impl Fn(T) -> &'static str) -> Option<T> {
    let s = s.trim();
    let bare = |x: &str| x.trim_end_matches('类').to_string();
    all.iter().copied().find(|k| {
        let l = label(*k);
        code(*k) == s || l.zh == s || l.en.eq_ignore_ascii_case(s) || (!bare(s).is_empty() && bare(&l.zh) == bare(s))
    })
}

/// A project kind by its code or its Chinese or English name (研究类, 研究, research).
pub fn parse_kind(s: &str) -> Option<ProjectKind> {
    by_label(s, ProjectKind::ALL, ProjectKind::label, ProjectKind::as_str)
}

/// A project origin by its code or its name (企业需求, 合作协议, 申报建议).
pub fn parse_origin(s: &str) -> Option<ProjectOrigin> {
    by_label(s, ProjectOrigin::ALL, ProjectOrigin::label, ProjectOrigin::as_str)
}

/// Several names in one cell: 江山市科技局、化学工程学院, separated by 、，,；; or new lines.
pub fn split_names(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in s.split(['、', '，', ',', '；', ';', '\n', '\r']) {
        let n = n.trim();
        if !n.is_empty() && !out.iter().any(|x| x == n) {
            out.push(n.to_string());
        }
    }
    out
}

/// A name as compared: no spaces, full-width brackets as half-width.
pub fn name_key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_as_excel_letters_them() {
        assert_eq!(letter(0), "A");
        assert_eq!(letter(9), "J");
        assert_eq!(letter(25), "Z");
        assert_eq!(letter(26), "AA");
        assert_eq!(letter(27), "AB");
        assert_eq!(letter(701), "ZZ");
        assert_eq!(letter(702), "AAA");
    }

    #[test]
    fn the_template_puts_the_start_date_in_column_j() {
        assert_eq!(COLUMNS[9].header, "开始日期");
    }

    #[test]
    fn a_header_is_recognised_with_or_without_its_unit_and_by_its_other_names() {
        let money = column_of("contract_amount_wan").unwrap();
        assert!(names_column("合同金额(万元)", money));
        assert!(names_column(" 合同金额 ", money));
        assert!(names_column("*合同金额（万元）", money));
        let co = column_of("co_unit_ids").unwrap();
        assert!(names_column("合作单位/高校学院", co));
        assert!(names_column("高校学院", co));
        assert!(!names_column("单位", co));
        assert!(!names_column("", column_of("title").unwrap()));
    }

    #[test]
    fn dates_written_the_usual_ways_become_iso_dates_and_others_are_left_for_validation() {
        assert_eq!(normalize_date("2026/3/1"), "2026-03-01");
        assert_eq!(normalize_date("2026.12.31"), "2026-12-31");
        assert_eq!(normalize_date("2026年3月1日"), "2026-03-01");
        assert_eq!(normalize_date("2026-03-01"), "2026-03-01");
        assert_eq!(normalize_date("2026/2/30"), "2026/2/30");
        assert_eq!(normalize_date("下月"), "下月");
        assert_eq!(normalize_year("2026年度"), "2026");
    }

    #[test]
    fn kinds_and_origins_are_read_by_their_chinese_names_too() {
        assert_eq!(parse_kind("研究类"), Some(ProjectKind::Research));
        assert_eq!(parse_kind("研究"), Some(ProjectKind::Research));
        assert_eq!(parse_kind("工科类"), Some(ProjectKind::Engineering));
        assert_eq!(parse_kind("平台建设"), Some(ProjectKind::Platform));
        assert_eq!(parse_kind("talent"), Some(ProjectKind::Talent));
        assert_eq!(parse_kind("类"), None);
        assert_eq!(parse_kind("其他"), None);
        assert_eq!(parse_origin("合作协议"), Some(ProjectOrigin::Agreement));
    }

    #[test]
    fn several_units_in_one_cell_are_split_and_kept_once() {
        assert_eq!(
            split_names("江山市科技局、化学工程学院，江山市科技局;\n衢州学院"),
            ["江山市科技局", "化学工程学院", "衢州学院"]
        );
        assert!(split_names(" 、 ").is_empty());
    }

    #[test]
    fn a_bad_cell_reads_as_row_column_letter_and_header() {
        let e = CellError::new(7, "开始日期", Some(9), &Msg::new("日期无效", "bad date"));
        assert_eq!(e.cell, "J7");
        assert_eq!(e.line().zh, "第7行 J列“开始日期”：日期无效");
        let e = CellError::new(3, "牵头单位", None, &Msg::new("必填", "required"));
        assert_eq!(e.line().zh, "第3行“牵头单位”：必填");
    }
}
