//! Spreadsheets in and out: the first worksheet of an .xlsx file read as rows of text (what an
//! import parses); a sheet written row by row with typed cells, a filters line and a frozen header
//! (the lists' exports, [`SheetWriter`]); and a plain one with a bold header row ([`write_rows`],
//! the import templates).

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use hezuo_domain::Msg;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
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

/// One cell of an exported sheet, typed so a spreadsheet can sort and sum it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    /// A count or a year: a whole number.
    Int(i64),
    /// A measure that may have decimals (hours, a score).
    Number(f64),
    /// An amount in fen, written as a number of 万元 with two decimals shown (`0.00`).
    Money(i64),
    /// A date, written as an Excel date shown `yyyy-mm-dd`.
    Date(NaiveDate),
    Empty,
}

impl Value {
    pub fn text(s: impl Into<String>) -> Value {
        Value::Text(s.into())
    }
    /// Text, or an empty cell for None.
    pub fn opt_text(s: Option<impl Into<String>>) -> Value {
        s.map_or(Value::Empty, |s| Value::Text(s.into()))
    }
    pub fn opt_int(n: Option<i64>) -> Value {
        n.map_or(Value::Empty, Value::Int)
    }
    pub fn opt_money(fen: Option<i64>) -> Value {
        fen.map_or(Value::Empty, Value::Money)
    }
    pub fn opt_date(d: Option<NaiveDate>) -> Value {
        d.map_or(Value::Empty, Value::Date)
    }
    /// 是 / 否 (empty when unknown).
    pub fn yes_no(b: Option<bool>) -> Value {
        b.map_or(Value::Empty, |b| Value::text(if b { "是" } else { "否" }))
    }
}

/// A column of an exported sheet: its header and its width in characters.
#[derive(Debug, Clone)]
pub struct Column {
    pub header: String,
    pub width: f64,
}

impl Column {
    pub fn new(header: impl Into<String>, width: f64) -> Column {
        Column {
            header: header.into(),
            width,
        }
    }
}

/// The most rows one sheet takes under its filters line and header (Excel's limit is 1,048,576).
pub const MAX_ROWS: u32 = 1_000_000;

/// A sheet written row by row in rust_xlsxwriter's constant-memory mode: each row goes to a
/// temporary file as it is pushed, so memory stays flat however many rows there are; only the
/// finished (compressed) file is held at the end. Optionally a first line saying which filters
/// made the list, then the bold header, frozen so it stays in view.
pub struct SheetWriter {
    book: Workbook,
    next: u32,
    first_data: u32,
    date: Format,
    money: Format,
}

fn err(e: XlsxError) -> String {
    e.to_string()
}

impl SheetWriter {
    /// A sheet named `name` (at most 31 characters are kept) with the `filters` line (if any) and
    /// the header.
    pub fn new(name: &str, filters: Option<&str>, columns: &[Column]) -> Result<SheetWriter, String> {
        let mut book = Workbook::new();
        let ws = book.add_worksheet_with_constant_memory().map_err(err)?;
        let name: String = name
            .chars()
            .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
            .take(31)
            .collect();
        ws.set_name(if name.is_empty() { "Sheet1" } else { &name })
            .map_err(err)?;
        for (c, col) in columns.iter().enumerate() {
            ws.set_column_width(c as u16, col.width).map_err(err)?;
        }
        let mut next = 0;
        if let Some(f) = filters {
            ws.write_string(0, 0, f).map_err(err)?;
            next = 1;
        }
        let bold = Format::new().set_bold();
        for (c, col) in columns.iter().enumerate() {
            ws.write_string_with_format(next, c as u16, &col.header, &bold)
                .map_err(err)?;
        }
        next += 1;
        ws.set_freeze_panes(next, 0).map_err(err)?;
        Ok(SheetWriter {
            book,
            next,
            first_data: next,
            date: Format::new().set_num_format("yyyy-mm-dd"),
            money: Format::new().set_num_format("0.00"),
        })
    }

    /// Writes the next row; refused past [`MAX_ROWS`].
    pub fn push(&mut self, row: &[Value]) -> Result<(), String> {
        if self.rows() >= MAX_ROWS {
            return Err(format!("more than {MAX_ROWS} rows"));
        }
        let r = self.next;
        let ws = self.book.worksheet_from_index(0).map_err(err)?;
        for (c, v) in row.iter().enumerate() {
            let c = c as u16;
            match v {
                Value::Text(s) if s.is_empty() => {}
                Value::Text(s) => {
                    ws.write_string(r, c, s).map_err(err)?;
                }
                Value::Int(n) => {
                    ws.write_number(r, c, *n as f64).map_err(err)?;
                }
                Value::Number(x) => {
                    ws.write_number(r, c, *x).map_err(err)?;
                }
                Value::Money(fen) => {
                    ws.write_number_with_format(r, c, *fen as f64 / 1_000_000.0, &self.money)
                        .map_err(err)?;
                }
                Value::Date(d) => {
                    ws.write_number_with_format(r, c, excel_serial(*d), &self.date)
                        .map_err(err)?;
                }
                Value::Empty => {}
            }
        }
        self.next += 1;
        Ok(())
    }

    /// How many rows have been pushed.
    pub fn rows(&self) -> u32 {
        self.next - self.first_data
    }

    /// The finished .xlsx file.
    pub fn finish(mut self) -> Result<Vec<u8>, String> {
        self.book.save_to_buffer().map_err(err)
    }
}

/// A date as Excel's serial number (days since 1899-12-30, right for every date after 1900-02-28).
fn excel_serial(d: NaiveDate) -> f64 {
    (d - NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid")).num_days() as f64
}

/// A workbook with one sheet: a bold header row and the rows as text, columns sized to fit (the
/// templates imports give out). A [`SheetWriter`] without a filters line.
pub fn write_rows(sheet: &str, header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, String> {
    let columns: Vec<Column> = header
        .iter()
        .enumerate()
        .map(|(c, h)| {
            let widest = rows
                .iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .chain([h.chars().count()])
                .max()
                .unwrap_or(8);
            Column::new(*h, (widest.min(40) * 2 + 2) as f64)
        })
        .collect();
    let mut w = SheetWriter::new(sheet, None, &columns)?;
    for row in rows {
        let row: Vec<Value> = row.iter().map(|s| Value::text(s.as_str())).collect();
        w.push(&row)?;
    }
    w.finish()
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

    #[test]
    fn typed_cells_read_back_as_dates_and_numbers_under_the_filters_line() {
        let cols = [
            Column::new("名称", 20.0),
            Column::new("日期", 12.0),
            Column::new("金额（万元）", 12.0),
            Column::new("人数", 8.0),
        ];
        let mut w = SheetWriter::new("合作项目", Some("筛选：年度=2026"), &cols).unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap();
        w.push(&[
            Value::text("甲"),
            Value::Date(d),
            Value::Money(1_234_500),
            Value::Int(7),
        ])
        .unwrap();
        w.push(&[Value::text("乙"), Value::Empty, Value::opt_money(None), Value::Int(0)])
            .unwrap();
        assert_eq!(w.rows(), 2);
        let bytes = w.finish().unwrap();
        let back = read_rows(&bytes).unwrap();
        assert_eq!(back[0][0], "筛选：年度=2026");
        assert_eq!(back[1], vec!["名称", "日期", "金额（万元）", "人数"]);
        assert_eq!(back[2], vec!["甲", "2026-03-15", "1.2345", "7"]);
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("合作项目").unwrap();
        assert!(matches!(range.get_value((2, 1)), Some(Data::DateTime(_))));
        assert_eq!(range.get_value((2, 2)), Some(&Data::Float(1.2345)));
    }
}
