//! The annual review (工作会议回顾) as a Word document in the 公文 layout the bulletins use, with
//! its tables, and its charts as PNG pictures (their Chinese labels drawn from a system CJK font);
//! and [`charts`], the same charts as SVG for the page. The sections and their numbering are
//! [`SECTIONS`], shared by the page and the document.

use super::{body, gongwen, heading, sign_off, table};
use crate::chart::{Series, Slice, bars, donut, lines};
use docx_rs::{AlignmentType, Docx, Paragraph, Pic, Run};
use hezuo_domain::Money;
use hezuo_domain::annual_review::AnnualReviewContent;

/// The headings of the review, in order: (key, heading). The page and the document number them alike.
pub const SECTIONS: [(&str, &str); 10] = [
    ("figures", "一、主要指标"),
    ("projects", "二、合作项目"),
    ("outcomes", "三、合作成果与成果转化"),
    ("platforms", "四、平台共建"),
    ("people", "五、人才交流与培训"),
    ("meetings", "六、会议活动与议定事项落实"),
    ("units", "七、责任单位推进情况"),
    ("problems", "八、需协调解决的问题"),
    ("next_batch", "九、新一年度合作项目清单（提请会议审定）"),
    ("next_year", "十、下一年度工作打算"),
];

/// One chart of the review: the section it belongs to, its title and its SVG.
#[derive(Debug, Clone)]
pub struct ReviewChart {
    pub section: &'static str,
    pub title: String,
    pub svg: String,
}

const NONE: &str = "暂无数据";

fn wan(fen: i64) -> f64 {
    fen as f64 / 1_000_000.0
}

/// The review's charts, each in its section; every figure drawn is in a table beside it too.
pub fn charts(c: &AnnualReviewContent) -> Vec<ReviewChart> {
    let mut out = Vec::new();
    let mut push = |section: &'static str, title: String, svg: String| out.push(ReviewChart { section, title, svg });
    let years: Vec<String> = c.years.iter().map(|g| g.label.clone()).collect();
    let t = "近五年合作项目数".to_string();
    push(
        "figures",
        t.clone(),
        lines(
            &t,
            &years,
            &[Series::new(
                "项目数（个）",
                c.years.iter().map(|g| g.projects as f64).collect(),
            )],
            NONE,
        ),
    );
    let t = "近五年合同金额与争取经费（万元）".to_string();
    push(
        "figures",
        t.clone(),
        lines(
            &t,
            &years,
            &[
                Series::new("合同金额", c.years.iter().map(|g| wan(g.contract_fen)).collect()),
                Series::new("争取经费", c.years.iter().map(|g| wan(g.funding_fen)).collect()),
            ],
            NONE,
        ),
    );
    let t = format!("{}年合作项目（按类型）", c.year);
    push(
        "projects",
        t.clone(),
        bars(
            &t,
            &c.by_kind.iter().map(|g| g.label.clone()).collect::<Vec<_>>(),
            &[Series::new(
                "项目数",
                c.by_kind.iter().map(|g| g.projects as f64).collect(),
            )],
            NONE,
        ),
    );
    let t = format!("{}年合作项目（按区县）", c.year);
    push(
        "projects",
        t.clone(),
        bars(
            &t,
            &c.by_county.iter().map(|g| g.label.clone()).collect::<Vec<_>>(),
            &[Series::new(
                "项目数",
                c.by_county.iter().map(|g| g.projects as f64).collect(),
            )],
            NONE,
        ),
    );
    let t = format!("{}年确认成果（按类型）", c.year);
    push(
        "outcomes",
        t.clone(),
        bars(
            &t,
            &c.outcomes.iter().map(|o| o.kind.clone()).collect::<Vec<_>>(),
            &[Series::new("项数", c.outcomes.iter().map(|o| o.count as f64).collect())],
            NONE,
        ),
    );
    let t = format!("{}年培训人员（按类型，人次）", c.year);
    push(
        "people",
        t.clone(),
        donut(
            &t,
            &c.trainings
                .iter()
                .enumerate()
                .map(|(i, l)| Slice {
                    label: l.kind.clone(),
                    value: l.trained as f64,
                    color: crate::chart::PALETTE[i % crate::chart::PALETTE.len()],
                })
                .collect::<Vec<_>>(),
            NONE,
        ),
    );
    let d = &c.decisions;
    let t = format!("{}年到期议定事项落实情况", c.year);
    push(
        "meetings",
        t.clone(),
        donut(
            &t,
            &[
                Slice {
                    label: "按期落实".into(),
                    value: d.done_on_time as f64,
                    color: crate::chart::GREEN,
                },
                Slice {
                    label: "逾期落实".into(),
                    value: (d.done - d.done_on_time) as f64,
                    color: crate::chart::PALETTE[0],
                },
                Slice {
                    label: "转项目或问题办理".into(),
                    value: d.handed_over as f64,
                    color: crate::chart::PALETTE[5],
                },
                Slice {
                    label: "尚在落实".into(),
                    value: (d.open - d.late) as f64,
                    color: crate::chart::YELLOW,
                },
                Slice {
                    label: "逾期未落实".into(),
                    value: d.late as f64,
                    color: crate::chart::RED,
                },
            ],
            NONE,
        ),
    );
    let t = format!("{}年度合作项目清单（按类型）", c.next_batch.year);
    push(
        "next_batch",
        t.clone(),
        donut(
            &t,
            &c.next_batch
                .by_kind
                .iter()
                .enumerate()
                .map(|(i, k)| Slice {
                    label: k.label.clone(),
                    value: k.count as f64,
                    color: crate::chart::PALETTE[i % crate::chart::PALETTE.len()],
                })
                .collect::<Vec<_>>(),
            NONE,
        ),
    );
    out
}

/// A chart as a picture across the type area (150 mm wide), with its title under it; nothing if
/// it cannot be drawn.
fn picture(doc: Docx, chart: &ReviewChart) -> Docx {
    let Some(png) = crate::raster::png(&chart.svg) else {
        return doc;
    };
    let Some((w, h)) = crate::raster::png_size(&png) else {
        return doc;
    };
    // EMU: 36,000 per millimetre.
    let width: u32 = 150 * 36_000;
    let height = (width as u64 * h as u64 / w.max(1) as u64) as u32;
    let pic = Pic::new_with_dimensions(png, w, h).size(width, height);
    doc.add_paragraph(
        Paragraph::new()
            .add_run(Run::new().add_image(pic))
            .align(AlignmentType::Center),
    )
    .add_paragraph(super::centered(&chart.title, "楷体_GB2312", super::SIHAO))
}

/// Rows of a figure table: 指标, this year, last year, the change.
pub fn figure_rows(c: &AnnualReviewContent) -> Vec<Vec<String>> {
    c.figures
        .iter()
        .map(|f| {
            vec![
                format!("{}（{}）", f.label, f.unit),
                f.show(f.this_year),
                f.show(f.last_year),
                f.change_text(),
            ]
        })
        .collect()
}

/// The review as a .docx file; `hash` is the issued content's SHA-256 (None for a draft).
pub fn annual_review_docx(c: &AnnualReviewContent, hash: Option<&str>) -> Vec<u8> {
    let charts = charts(c);
    let with_charts = |mut doc: Docx, section: &str| {
        for ch in charts.iter().filter(|ch| ch.section == section) {
            doc = picture(doc, ch);
        }
        doc
    };
    let h = |key: &str| {
        SECTIONS
            .iter()
            .find(|(k, _)| *k == key)
            .map(|s| s.1)
            .unwrap_or_default()
    };
    let mut doc = gongwen(&c.issuer, &format!("（{}年度）", c.year), &c.title).add_paragraph(body(&c.intro));

    doc = doc
        .add_paragraph(heading(h("figures"), 1))
        .add_paragraph(body(c.figures_sentence()))
        .add_table(table(
            &["指标", "本年", "上年", "增减"],
            &[40, 18, 18, 24],
            figure_rows(c),
        ));
    doc = with_charts(doc, "figures");

    doc = doc.add_paragraph(heading(h("projects"), 1));
    let statuses: Vec<String> = c
        .by_status
        .iter()
        .map(|s| format!("{}{}个", s.label, s.count))
        .collect();
    let total: i64 = c.by_kind.iter().map(|g| g.projects).sum();
    doc = doc.add_paragraph(body(format!(
        "{}年度共实施合作项目{total}个{}。按类型、按牵头单位所在区县分列如下。",
        c.year,
        if statuses.is_empty() {
            String::new()
        } else {
            format!("，其中{}", statuses.join("，"))
        }
    )));
    let group_rows = |gs: &[hezuo_domain::annual_review::ProjectGroup]| -> Vec<Vec<String>> {
        gs.iter()
            .map(|g| {
                vec![
                    g.label.clone(),
                    g.projects.to_string(),
                    Money(g.contract_fen).wan(),
                    Money(g.funding_fen).wan(),
                ]
            })
            .collect()
    };
    doc = doc
        .add_paragraph(heading("（一）按项目类型", 2))
        .add_table(table(
            &["类型", "项目数", "合同金额（万元）", "争取经费（万元）"],
            &[34, 18, 24, 24],
            group_rows(&c.by_kind),
        ))
        .add_paragraph(heading("（二）按区县", 2))
        .add_table(table(
            &["区县", "项目数", "合同金额（万元）", "争取经费（万元）"],
            &[34, 18, 24, 24],
            group_rows(&c.by_county),
        ));
    doc = with_charts(doc, "projects");

    doc = doc.add_paragraph(heading(h("outcomes"), 1)).add_paragraph(body(format!(
        "全年确认合作成果{}项；转化科技成果{}项，其中在本市转化{}项。",
        c.outcomes.iter().map(|o| o.count).sum::<i64>(),
        c.transfers,
        c.local_transfers
    )));
    if !c.outcomes.is_empty() {
        let rows = c
            .outcomes
            .iter()
            .map(|o| {
                vec![
                    o.kind.clone(),
                    o.count.to_string(),
                    Money(o.amount_fen).wan(),
                    o.quantity.to_string(),
                ]
            })
            .collect();
        doc = doc.add_table(table(
            &["成果类型", "项数", "金额（万元）", "人数"],
            &[34, 18, 28, 20],
            rows,
        ));
    }
    doc = with_charts(doc, "outcomes");

    doc = doc.add_paragraph(heading(h("platforms"), 1));
    if c.platforms.is_empty() {
        doc = doc.add_paragraph(body("本年度无新建合作平台。"));
    } else {
        doc = doc.add_paragraph(body(format!("本年度新建合作平台{}个。", c.platforms.len())));
        let rows = c
            .platforms
            .iter()
            .map(|p| {
                vec![
                    p.name.clone(),
                    p.kind.clone(),
                    p.level.clone(),
                    p.established_on.clone(),
                ]
            })
            .collect();
        doc = doc.add_table(table(&["平台", "类型", "级别", "成立日期"], &[40, 20, 16, 24], rows));
    }

    doc = doc.add_paragraph(heading(h("people"), 1));
    let seconded: i64 = c.secondments.iter().map(|s| s.count).sum();
    let trained: i64 = c.trainings.iter().map(|t| t.trained).sum();
    let sessions: i64 = c.trainings.iter().map(|t| t.trainings).sum();
    let dirs: Vec<String> = c
        .secondments
        .iter()
        .map(|s| format!("{}{}人次", s.label, s.count))
        .collect();
    doc = doc.add_paragraph(body(format!(
        "全年挂职交流{seconded}人次{}；举办培训实践{sessions}期，培训{trained}人次。",
        if dirs.is_empty() {
            String::new()
        } else {
            format!("（{}）", dirs.join("，"))
        }
    )));
    if !c.trainings.is_empty() {
        let rows = c
            .trainings
            .iter()
            .map(|t| vec![t.kind.clone(), t.trainings.to_string(), t.trained.to_string()])
            .collect();
        doc = doc.add_table(table(&["培训类型", "期数", "培训人次"], &[40, 30, 30], rows));
    }
    doc = with_charts(doc, "people");

    doc = doc
        .add_paragraph(heading(h("meetings"), 1))
        .add_paragraph(body(c.decisions_sentence()));
    if !c.events.is_empty() {
        let rows = c
            .events
            .iter()
            .map(|e| {
                vec![
                    e.title.clone(),
                    e.kind.clone(),
                    e.held_on.clone(),
                    format!("{}/{}", e.done, e.decisions),
                ]
            })
            .collect();
        doc = doc.add_table(table(
            &["会议活动", "类型", "日期", "议定事项落实"],
            &[44, 16, 20, 20],
            rows,
        ));
    }
    doc = with_charts(doc, "meetings");

    doc = doc
        .add_paragraph(heading(h("units"), 1))
        .add_paragraph(body(c.ranking_sentence()));
    if !c.units.is_empty() {
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
    }

    doc = doc.add_paragraph(heading(h("problems"), 1));
    if c.problems.is_empty() {
        doc = doc.add_paragraph(body("本年度项目无待协调问题。"));
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

    doc = doc
        .add_paragraph(heading(h("next_batch"), 1))
        .add_paragraph(body(c.next_batch_sentence()));
    if !c.next_batch.projects.is_empty() {
        let rows = c
            .next_batch
            .projects
            .iter()
            .enumerate()
            .map(|(i, p)| {
                vec![
                    (i + 1).to_string(),
                    p.title.clone(),
                    p.kind.clone(),
                    p.lead_unit.clone(),
                    Money(p.contract_fen).wan(),
                ]
            })
            .collect();
        doc = doc.add_table(table(
            &["序号", "项目", "类型", "牵头单位", "合同金额（万元）"],
            &[8, 38, 14, 24, 16],
            rows,
        ));
    }
    doc = with_charts(doc, "next_batch");

    if !c.next_year_text.is_empty() {
        doc = doc
            .add_paragraph(heading(h("next_year"), 1))
            .add_paragraph(body(&c.next_year_text));
    }
    sign_off(doc, &c.issuer, &c.date, hash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hezuo_domain::annual_review::{
        Count, DecisionTally, Figure, NextBatch, NextProject, OutcomeLine, ProjectGroup, TrainingLine,
    };

    fn group(label: &str, n: i64, contract_wan: i64) -> ProjectGroup {
        ProjectGroup {
            label: label.into(),
            projects: n,
            contract_fen: contract_wan * 1_000_000,
            funding_fen: contract_wan * 100_000,
        }
    }

    pub(crate) fn content() -> AnnualReviewContent {
        AnnualReviewContent {
            issuer: "市校全面合作协调委员会办公室".into(),
            year: 2026,
            title: "2026年度市校全面合作工作回顾".into(),
            date: "2026年12月20日".into(),
            intro: "2026年，市校双方深化项目合作。".into(),
            next_year_text: "2027年，继续深化合作。".into(),
            figures: vec![
                Figure::new("projects", "实施合作项目", "个", 12, 10),
                Figure::money("contract", "合同金额", 350_000_000, 300_000_000),
            ],
            by_kind: vec![group("工科类", 7, 200), group("研究类", 5, 150)],
            by_county: vec![group("江山市", 6, 180), group("柯城区", 4, 120), group("衢江区", 2, 50)],
            by_status: vec![Count {
                label: "实施中".into(),
                count: 12,
            }],
            years: (2022..=2026)
                .map(|y| group(&format!("{y}年"), (y - 2016) as i64, 100))
                .collect(),
            outcomes: vec![OutcomeLine {
                kind: "成果转化".into(),
                count: 3,
                amount_fen: 85_000_000,
                quantity: 0,
            }],
            transfers: 3,
            local_transfers: 2,
            platforms: vec![],
            secondments: vec![Count {
                label: "高校人才到地方挂职".into(),
                count: 8,
            }],
            trainings: vec![TrainingLine {
                kind: "培训班".into(),
                trainings: 4,
                trained: 320,
            }],
            events: vec![],
            decisions: DecisionTally {
                total: 5,
                done: 3,
                done_on_time: 2,
                handed_over: 1,
                open: 1,
                late: 1,
            },
            units: vec![],
            best: vec!["衢州氟硅新材料有限公司".into()],
            worst: vec![],
            problems: vec![],
            next_batch: NextBatch {
                year: 2027,
                title: Some("2027年度市校合作项目清单".into()),
                status: Some("编制中".into()),
                projects: vec![NextProject {
                    title: "智慧养老服务平台建设".into(),
                    kind: "民生类".into(),
                    lead_unit: "江山市".into(),
                    contract_fen: 30_000_000,
                }],
                by_kind: vec![Count {
                    label: "民生类".into(),
                    count: 1,
                }],
            },
        }
    }

    #[test]
    fn the_review_reads_back_with_its_title_tables_hash_and_charts_as_pictures() {
        let c = content();
        assert_eq!(charts(&c).len(), 8);
        let bytes = annual_review_docx(&c, Some("abc123"));
        assert_eq!(&bytes[..2], b"PK");
        if let Ok(path) = std::env::var("HEZUO_REVIEW_SAMPLE") {
            std::fs::write(path, &bytes).unwrap();
        }
        let read = docx_rs::read_docx(&bytes).expect("a reader opens it");
        let json = read.json();
        for s in [
            "2026年度市校全面合作工作回顾",
            "一、主要指标",
            "智慧养老服务平台建设",
            "江山市",
            "abc123",
        ] {
            assert!(json.contains(s), "{s} missing");
        }
        let media = bytes.windows(11).filter(|w| w == b"word/media/").count();
        assert!(media >= 8, "the charts are pictures in word/media ({media} names)");
    }
}
