//! The tables of records that several features show — in their own lists and as panels on other
//! records' pages: projects (with their flags), problems, agreements and attachments. Names of the
//! organisations they point to are looked up once per table.

use super::widgets::{Cell, Table, flag_cell, human_size, local_time};
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::state::AppState;
use hezuo_domain::agreement::Agreement;
use hezuo_domain::attachment::Attachment;
use hezuo_domain::problem::Problem;
use hezuo_domain::project::Project;

/// A table of projects, for lists and related panels, with lead-unit names looked up once.
pub async fn project_table(s: &AppState, lang: Lang, items: &[Project]) -> Result<Table, ApiError> {
    let ids: Vec<i64> = items.iter().map(|p| p.lead_unit_id).collect();
    let names = s.store.organization_names(&ids).await?;
    let mut t = Table::new(
        lang,
        &[
            ("亮灯", "Flag"),
            ("项目名称", "Title"),
            ("类型", "Kind"),
            ("批次", "Batch"),
            ("牵头单位", "Lead unit"),
            ("状态", "Status"),
            ("合同金额（万元）", "Contract (×10k CNY)"),
        ],
    );
    for p in items {
        t.rows.push(vec![
            flag_cell(lang, p.flag),
            Cell::link(&p.title, format!("/projects/{}", p.id)),
            Cell::text(lang.pick(&p.kind.label())),
            Cell::text(p.batch_year.to_string()),
            Cell::link(
                names.get(&p.lead_unit_id).cloned().unwrap_or_default(),
                format!("/organizations/{}", p.lead_unit_id),
            ),
            Cell::badge(lang.pick(&p.status.label()), format!("s-{}", p.status.as_str())),
            Cell::text(p.contract_amount_wan.wan()),
        ]);
    }
    Ok(t)
}

/// A table of problems, for lists and panels.
pub async fn problem_table(s: &AppState, lang: Lang, items: &[Problem]) -> Result<Table, ApiError> {
    let ids: Vec<i64> = items.iter().map(|p| p.owner_id).collect();
    let names = s.store.organization_names(&ids).await?;
    let mut t = Table::new(
        lang,
        &[
            ("问题", "Problem"),
            ("责任单位", "Owner"),
            ("办结期限", "Due"),
            ("状态", "Status"),
        ],
    );
    t.empty = lang.tr("没有待协调的问题。", "No problems.").into();
    let today = s.store.today();
    for p in items {
        t.rows.push(vec![
            Cell::link(&p.title, format!("/problems/{}", p.id)),
            Cell::text(names.get(&p.owner_id).cloned().unwrap_or_default()),
            problem_due_cell(lang, p, today),
            Cell::badge(lang.pick(&p.status.label()), format!("p-{}", p.status.as_str())),
        ]);
    }
    Ok(t)
}

/// A problem's due date: a red badge saying by how many days once it has passed unresolved.
pub fn problem_due_cell(lang: Lang, p: &Problem, today: chrono::NaiveDate) -> Cell {
    match p.due_on {
        Some(d) if p.overdue(today) => {
            let days = hezuo_domain::problem::days_past(d, today).unwrap_or(1);
            Cell::badge(
                format!("{d} · {}", lang.pick(&hezuo_domain::problem::overdue_label(days))),
                "p-overdue",
            )
        }
        other => Cell::opt(other.map(|d| d.to_string()), lang),
    }
}

/// A table of agreements, for lists and related panels.
pub fn agreement_table(lang: Lang, items: &[Agreement]) -> Table {
    let mut t = Table::new(
        lang,
        &[
            ("协议名称", "Title"),
            ("类型", "Kind"),
            ("签订日期", "Signed"),
            ("到期日期", "Term ends"),
            ("状态", "Status"),
        ],
    );
    for a in items {
        t.rows.push(vec![
            Cell::link(&a.title, format!("/agreements/{}", a.id)),
            Cell::text(lang.pick(&a.kind.label())),
            Cell::text(a.signed_on.to_string()),
            Cell::opt(a.term_end.map(|d| d.to_string()), lang),
            Cell::badge(lang.pick(&a.status.label()), format!("g-{}", a.status.as_str())),
        ]);
    }
    t
}

/// The attachments panel of a detail page.
pub fn attachment_table(lang: Lang, items: &[Attachment]) -> Table {
    let mut t = Table::new(
        lang,
        &[
            ("文件名", "File"),
            ("类型", "Type"),
            ("大小", "Size"),
            ("上传时间", "Uploaded"),
        ],
    );
    for a in items {
        t.rows.push(vec![
            Cell::link(&a.filename, format!("/api/v1/attachments/{}/content", a.id)),
            Cell::text(a.content_type.split(';').next().unwrap_or("")),
            Cell::text(human_size(a.size_bytes)),
            Cell::text(local_time(a.created_at)),
        ]);
    }
    t
}
