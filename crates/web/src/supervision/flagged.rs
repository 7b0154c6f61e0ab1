//! What the batch page and the board share: every project of a filter the viewer may see, and the
//! table of projects with their flags and why.

use crate::error::ApiError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::views::{Cell, Table, flag_cell};
use hezuo_domain::ListParams;
use hezuo_domain::project::{Project, ProjectFilter};
use hezuo_store::{Store, Viewer};

/// Every project matching `f` that `v` may see, page after page.
pub async fn all_projects(store: &Store, v: &Viewer, f: &ProjectFilter) -> Result<Vec<Project>, ApiError> {
    let mut out = Vec::new();
    for page in 1.. {
        let p = ListParams {
            page: Some(page.to_string()),
            per_page: Some("200".into()),
            ..Default::default()
        };
        let got = store.list_projects(v, f, &p).await?;
        let last = page >= got.pages();
        out.extend(got.items);
        if last {
            break;
        }
    }
    Ok(out)
}

/// A table of projects with their flags and why.
pub async fn flagged_table(s: &AppState, lang: Lang, items: &[Project]) -> Result<Table, ApiError> {
    let ids: Vec<i64> = items.iter().map(|p| p.lead_unit_id).collect();
    let names = s.store.organization_names(&ids).await?;
    let mut t = Table::new(
        lang,
        &[
            ("亮灯", "Flag"),
            ("项目名称", "Project"),
            ("牵头单位", "Lead unit"),
            ("状态", "Status"),
            ("原因", "Why"),
        ],
    );
    for p in items {
        t.rows.push(vec![
            flag_cell(lang, p.flag),
            Cell::link(&p.title, format!("/projects/{}", p.id)),
            Cell::text(names.get(&p.lead_unit_id).cloned().unwrap_or_default()),
            Cell::badge(lang.pick(&p.status.label()), format!("s-{}", p.status.as_str())),
            Cell::text(
                p.flag_words
                    .iter()
                    .map(|m| lang.pick(m))
                    .collect::<Vec<_>>()
                    .join(lang.tr("；", "; ")),
            ),
        ]);
    }
    Ok(t)
}
