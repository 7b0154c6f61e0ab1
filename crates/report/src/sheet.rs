//! Spreadsheets in and out: the first worksheet of an .xlsx file read as rows of text (what an
//! import parses), and a plain sheet written with a bold header row (templates and exports).

use calamine::{Data, Reader, Xlsx};
use hezuo_domain::Msg;
use rust_xlsxwriter::{Format, Workbook};
use std::io::Cursor;

/// The first worksheet's rows, every cell as text (dates as YYYY-MM-DD, whole numbers without
/// decimals); trailing empty rows dropped. Row 0 is the spreadsheet's row 1.
pub fn read_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, Msg> {
    let unreadable = || {
        Msg::new(
            "无法读取该文件：请上传 Excel 工作簿（.xlsx）",
            "The file could not be read: upload an Excel workbook (.xlsx)",
        )
    };
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).map_err(|_| unreadable())?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(unreadable)?
        .map_err(|_| unreadable())?;
    let mut rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(cell_text).collect()).collect();
    while rows.last().is_some_and(|r| r.iter().all(|c| c.is_empty())) {
        rows.pop();
    }
    Ok(rows)
}

fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(d) => excel_date(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.chars().take(10).collect(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// An Excel serial date (days since 1899-12-30) as YYYY-MM-DD.
fn excel_date(serial: f64) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid");
    base.checked_add_signed(chrono::Duration::days(serial.floor() as i64))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

/// A workbook with one sheet: a bold header row and the rows as text, columns sized to fit.
pub fn write_rows(sheet: &str, header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, String> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).map_err(|e| e.to_string())?;
    let bold = Format::new().set_bold();
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)
            .map_err(|e| e.to_string())?;
        let widest = rows
            .iter()
            .filter_map(|r| r.get(c))
            .map(|s| s.chars().count())
            .chain([h.chars().count()])
            .max()
            .unwrap_or(8);
        ws.set_column_width(c as u16, (widest.min(40) * 2 + 2) as f64)
            .map_err(|e| e.to_string())?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, v).map_err(|e| e.to_string())?;
        }
    }
    book.save_to_buffer().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_sheet_reads_back_as_the_same_text() {
        let rows = vec![vec![
            "衢州某氟化工有限公司".to_string(),
            "含氟废水处理".into(),
            "".into(),
            "50".into(),
        ]];
        let bytes = write_rows("需求", &["企业", "需求名称", "行业", "预算"], &rows).unwrap();
        let back = read_rows(&bytes).unwrap();
        assert_eq!(back[0], vec!["企业", "需求名称", "行业", "预算"]);
        assert_eq!(back[1], rows[0]);
        assert!(read_rows(b"not a workbook").unwrap_err().zh.contains(".xlsx"));
    }
}
