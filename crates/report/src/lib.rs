//! Documents out of Hezuo. [`bulletin_docx`] lays a supervision bulletin out as a Chinese official
//! document after GB/T 9704-2012: the issuing office's name in red over a red rule, the document
//! number, the title in 小标宋 二号, the body in 仿宋 三号 with 黑体/楷体 headings, tables, and the
//! date and office at the end. [`sheet`] reads and writes spreadsheets (.xlsx); [`chart`] draws
//! charts as SVG. Imports `hezuo-domain` only.

pub mod chart;
pub mod sheet;

use docx_rs::{
    AlignmentType, BorderType, Docx, LineSpacing, PageMargin, Paragraph, Run, RunFonts, SpecialIndentType, Table,
    TableBorder, TableBorderPosition, TableBorders, TableCell, TableRow, WidthType,
};
use hezuo_domain::bulletin::{BulletinContent, ranking_sentence};

const RED: &str = "C00000";
// Sizes are in half-points: 二号 22pt, 三号 16pt, 四号 14pt, 五号 10.5pt.
const ERHAO: usize = 44;
const SANHAO: usize = 32;
const SIHAO: usize = 28;
const WUHAO: usize = 21;

pub mod annual_review;
mod raster;

fn font(name: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(name)
        .ascii("Times New Roman")
        .hi_ansi("Times New Roman")
}

fn run(text: impl Into<String>, face: &str, size: usize) -> Run {
    Run::new().add_text(text).fonts(font(face)).size(size)
}

/// A body paragraph: 仿宋 三号, first line indented two characters, fixed 28-point lines.
fn body(text: impl Into<String>) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, "仿宋_GB2312", SANHAO))
        .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
        .line_spacing(LineSpacing::new().line(560))
}

fn heading(text: &str, level: u8) -> Paragraph {
    let face = if level == 1 { "黑体" } else { "楷体_GB2312" };
    Paragraph::new()
        .add_run(run(text, face, SANHAO))
        .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
        .line_spacing(LineSpacing::new().line(560))
}

fn centered(text: &str, face: &str, size: usize) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, face, size))
        .align(AlignmentType::Center)
}

fn cell(text: &str, bold: bool) -> TableCell {
    let mut r = run(text, "仿宋_GB2312", WUHAO);
    if bold {
        r = r.bold();
    }
    TableCell::new().add_paragraph(Paragraph::new().add_run(r).align(AlignmentType::Center))
}

/// A table across the type area; `widths` are the columns' shares of it.
fn table(header: &[&str], widths: &[usize], rows: Vec<Vec<String>>) -> Table {
    let total: usize = widths.iter().sum();
    let grid: Vec<usize> = widths.iter().map(|w| w * 8850 / total).collect();
    let sized = |cells: Vec<TableCell>| -> Vec<TableCell> {
        cells
            .into_iter()
            .zip(&grid)
            .map(|(c, w)| c.width(*w, WidthType::Dxa))
            .collect()
    };
    let mut out = vec![TableRow::new(sized(header.iter().map(|h| cell(h, true)).collect()))];
    for r in rows {
        out.push(TableRow::new(sized(r.iter().map(|c| cell(c, false)).collect())));
    }
    Table::new(out).set_grid(grid.clone()).width(8850, WidthType::Dxa)
}

/// The head of a document in the 公文 layout: GB/T 9704 margins, the issuing office's name in red,
/// the document number over a red rule, and the title.
fn gongwen(issuer: &str, number: &str, title: &str) -> Docx {
    // GB/T 9704: top margin 37 mm, inside 28 mm; type area 156 × 225 mm (A4). Twips: 1 mm ≈ 56.7.
    let margin = PageMargin {
        top: 2098,
        bottom: 1984,
        left: 1588,
        right: 1474,
        header: 851,
        footer: 992,
        gutter: 0,
    };
    let red_rule = Table::new(vec![TableRow::new(vec![
        TableCell::new().add_paragraph(Paragraph::new()),
    ])])
    .width(8850, WidthType::Dxa)
    .set_borders(
        TableBorders::with_empty().set(
            TableBorder::new(TableBorderPosition::Bottom)
                .border_type(BorderType::Single)
                .size(24)
                .color(RED),
        ),
    );
    Docx::new()
        .page_margin(margin)
        .add_paragraph(
            Paragraph::new()
                .add_run(run(issuer, "方正小标宋简体", 60).color(RED))
                .align(AlignmentType::Center),
        )
        .add_paragraph(Paragraph::new())
        .add_paragraph(centered(number, "仿宋_GB2312", SANHAO))
        .add_table(red_rule)
        .add_paragraph(Paragraph::new())
        .add_paragraph(centered(title, "方正小标宋简体", ERHAO))
        .add_paragraph(Paragraph::new())
}

/// The end of a 公文 — the office and the date on the right, the content's hash (or 草稿) — and
/// the whole as a .docx file.
fn sign_off(doc: Docx, issuer: &str, date: &str, hash: Option<&str>) -> Vec<u8> {
    let doc = doc
        .add_paragraph(Paragraph::new())
        .add_paragraph(
            Paragraph::new()
                .add_run(run(issuer, "仿宋_GB2312", SANHAO))
                .align(AlignmentType::Right),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(run(date, "仿宋_GB2312", SANHAO))
                .align(AlignmentType::Right),
        )
        .add_paragraph(Paragraph::new().add_run(run(
            match hash {
                Some(h) => format!("（内容校验码 SHA-256：{h}）"),
                None => "（草稿，未印发）".to_string(),
            },
            "仿宋_GB2312",
            SIHAO,
        )));
    let mut buf = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut buf)
        .expect("writing a document to memory does not fail");
    buf.into_inner()
}

/// The bulletin as a .docx file; `hash` is the issued content's SHA-256 (None for a draft).
pub fn bulletin_docx(c: &BulletinContent, hash: Option<&str>) -> Vec<u8> {
    let mut doc = gongwen(&c.issuer, &c.number, &c.title).add_paragraph(body(&c.intro));

    doc = doc.add_paragraph(heading("一、总体情况", 1));
    let total: usize = c.by_status.iter().map(|s| s.1).sum();
    let statuses: Vec<String> = c.by_status.iter().map(|(s, n)| format!("{s}{n}个")).collect();
    let kinds: Vec<String> = c.by_kind.iter().map(|(k, n)| format!("{k}{n}个")).collect();
    doc = doc.add_paragraph(body(format!(
        "{}共列入项目{total}个。按状态：{}；按类型：{}。",
        c.batch,
        statuses.join("，"),
        kinds.join("，")
    )));

    doc = doc.add_paragraph(heading("二、各责任单位推进情况", 1));
    doc = doc.add_paragraph(body(format!(
        "截至{}，本年度各期进度报送及节点完成情况如下表。{}",
        c.period,
        ranking_sentence(c)
    )));
    let rows = c
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            vec![
                (i + 1).to_string(),
                u.unit.clone(),
                u.projects.to_string(),
                u.reports_on_time.to_string(),
                u.reports_late.to_string(),
                u.reports_missing.to_string(),
                format!("{}%", u.on_time_rate),
                format!("{}/{}", u.milestones_met, u.milestones_due),
            ]
        })
        .collect();
    doc = doc.add_table(table(
        &[
            "排名",
            "责任单位",
            "项目数",
            "按时报送",
            "迟报",
            "未报",
            "按时率",
            "节点完成",
        ],
        &[6, 30, 8, 10, 7, 7, 9, 10],
        rows,
    ));

    doc = doc.add_paragraph(heading("三、亮灯项目", 1));
    if c.flagged.is_empty() {
        doc = doc.add_paragraph(body("本期无亮红灯、黄灯项目。"));
    } else {
        let red = c.flagged.iter().filter(|f| f.flag == "红灯").count();
        doc = doc.add_paragraph(body(format!(
            "本期亮红灯项目{red}个、黄灯项目{}个，请相关责任单位限期整改。",
            c.flagged.len() - red
        )));
        let rows = c
            .flagged
            .iter()
            .map(|f| vec![f.flag.clone(), f.title.clone(), f.lead_unit.clone(), f.reasons.clone()])
            .collect();
        doc = doc.add_table(table(&["亮灯", "项目", "牵头单位", "原因"], &[8, 30, 24, 38], rows));
    }

    doc = doc.add_paragraph(heading("四、需协调解决的问题", 1));
    if c.problems.is_empty() {
        doc = doc.add_paragraph(body("本期无待协调问题。"));
    } else {
        let rows = c
            .problems
            .iter()
            .map(|p| {
                vec![
                    p.title.clone(),
                    p.project.clone(),
                    p.owner.clone(),
                    p.due.clone(),
                    p.status.clone(),
                ]
            })
            .collect();
        doc = doc.add_table(table(
            &["问题", "所属项目", "责任单位", "办结期限", "状态"],
            &[30, 24, 20, 14, 12],
            rows,
        ));
    }
    doc = doc.add_paragraph(heading("五、议定事项落实情况", 1));
    doc = doc.add_paragraph(body(hezuo_domain::bulletin::decisions_sentence(c)));
    if !c.decisions.is_empty() {
        let rows = c
            .decisions
            .iter()
            .map(|d| {
                vec![
                    d.title.clone(),
                    d.event.clone(),
                    d.owner.clone(),
                    d.due.clone(),
                    if d.flag.is_empty() {
                        d.status.clone()
                    } else {
                        format!("{}（{}）", d.status, d.flag)
                    },
                    d.note.clone(),
                ]
            })
            .collect();
        doc = doc.add_table(table(
            &["议定事项", "会议", "责任单位", "完成时限", "状态", "落实情况"],
            &[28, 18, 16, 11, 12, 15],
            rows,
        ));
    }
    if !c.closing.is_empty() {
        doc = doc
            .add_paragraph(heading("六、下步要求", 1))
            .add_paragraph(body(&c.closing));
    }
    sign_off(doc, &c.issuer, &c.date, hash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hezuo_domain::bulletin::UnitProgress;

    fn content() -> BulletinContent {
        BulletinContent {
            issuer: "市校全面合作协调委员会办公室".into(),
            number: "〔2026〕3号".into(),
            date: "2026年6月15日".into(),
            title: "关于2026年5月市校合作项目推进情况的督查通报".into(),
            batch: "2026年度市校合作项目清单".into(),
            period: "2026年5月".into(),
            intro: "现将有关情况通报如下。".into(),
            closing: "请按时报送。".into(),
            by_status: vec![("实施中".into(), 3)],
            by_kind: vec![("工科类".into(), 3)],
            units: vec![UnitProgress {
                unit: "衢州氟硅新材料有限公司".into(),
                projects: 1,
                reports_on_time: 1,
                reports_late: 0,
                reports_missing: 0,
                on_time_rate: 100,
                milestones_due: 1,
                milestones_met: 1,
            }],
            best: vec!["衢州氟硅新材料有限公司".into()],
            worst: vec![],
            flagged: vec![],
            problems: vec![],
            decisions: vec![],
        }
    }

    #[test]
    fn a_bulletin_reads_back_with_its_number_title_units_and_hash() {
        let bytes = bulletin_docx(&content(), Some("abc123"));
        assert_eq!(&bytes[..2], b"PK", "a .docx is a zip file");
        let read = docx_rs::read_docx(&bytes).expect("a reader opens it").json();
        for expected in [
            "〔2026〕3号",
            "关于2026年5月市校合作项目推进情况的督查通报",
            "衢州氟硅新材料有限公司",
            "abc123",
            "仿宋_GB2312",
        ] {
            assert!(read.contains(expected), "{expected} missing");
        }
    }
}
