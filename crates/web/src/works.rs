//! Experts' papers and patents (论文与专利), kept with their profiles: what matching reads to know
//! what an expert works on. API and pages through the shared record handlers.

use crate::error::ApiError;
use crate::i18n::Lang;
use crate::resource::{Pages, list_view, record_page, resource, routes};
use crate::results::{expert_options, people_by_id, person_cell};
use crate::state::AppState;
use crate::views::{Cell, Ctx, DetailPage, Field, ListPage, Table, archived_filter, chosen, code_options};
use axum::Router;
use hezuo_domain::Page;
use hezuo_domain::expert_work::{ExpertWork, WorkData, WorkFilter, WorkInput, WorkKind};

resource!(
    Works,
    "works",
    hezuo_domain::RecordKind::ExpertWork,
    ExpertWork,
    WorkInput,
    WorkData,
    WorkFilter,
    list_works,
    get_work,
    create_work,
    update_work,
    set_work_archived
);

pub fn router() -> Router<AppState> {
    routes::<Works>()
}

/// What the venue is for a work of this kind: a paper's journal, a patent's application number.
fn venue_label(kind: WorkKind) -> (&'static str, &'static str) {
    match kind {
        WorkKind::Paper => ("期刊", "Journal"),
        WorkKind::Patent => ("申请号", "Application number"),
    }
}

impl Pages for Works {
    // Papers and patents belong to the experts' profiles.
    const NAV: &'static str = "people";

    fn heading(lang: Lang) -> String {
        lang.tr("专家论文与专利", "Experts' papers & patents").into()
    }
    fn title(r: &ExpertWork) -> String {
        r.title.clone()
    }

    async fn list_page(cx: &Ctx, f: &WorkFilter, page: Page<ExpertWork>) -> Result<ListPage, ApiError> {
        let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
        let ids: Vec<i64> = page.items.iter().map(|w| w.person_id).collect();
        let people = people_by_id(s, &who.viewer, &ids).await?;
        let mut table = Table::new(
            lang,
            &[
                ("题名", "Title"),
                ("专家", "Expert"),
                ("类型", "Kind"),
                ("年份", "Year"),
                ("期刊/申请号", "Journal / application no."),
            ],
        );
        for w in &page.items {
            table.rows.push(vec![
                Cell::link(&w.title, format!("/works/{}", w.id)),
                person_cell(lang, &people, w.person_id),
                Cell::text(lang.pick(&w.kind.label())),
                Cell::opt(w.year.map(|y| y.to_string()), lang),
                Cell::opt(w.venue.clone(), lang),
            ]);
        }
        let filters = vec![
            Field::new(lang, "q", ("题名", "Title"), "text").value(f.q.as_deref()),
            Field::new(lang, "kind", ("类型", "Kind"), "select").options(
                lang,
                code_options(lang, WorkKind::ALL, WorkKind::label, WorkKind::as_str),
                &chosen(&f.kind),
            ),
            archived_filter(lang, &f.archived),
        ];
        let unfiltered = [&f.q, &f.kind, &f.person_id, &f.archived]
            .iter()
            .all(|v| v.as_deref().unwrap_or("").trim().is_empty());
        let mut view = list_view::<Self>(cx, filters, table, &page);
        if unfiltered {
            view.table.empty = lang
                .tr("还没有登记专家的论文或专利。", "No papers or patents yet.")
                .into();
        }
        Ok(view)
    }

    async fn detail_page(cx: &Ctx, w: ExpertWork) -> Result<DetailPage, ApiError> {
        let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
        let people = people_by_id(s, &who.viewer, &[w.person_id]).await?;
        let props = vec![
            (
                lang.tr("专家", "Expert").to_string(),
                person_cell(lang, &people, w.person_id),
            ),
            (lang.tr("类型", "Kind").into(), Cell::text(lang.pick(&w.kind.label()))),
            (
                lang.tr("年份", "Year").into(),
                Cell::opt(w.year.map(|y| y.to_string()), lang),
            ),
            (lang.tr_owned(venue_label(w.kind)), Cell::opt(w.venue.clone(), lang)),
            (
                lang.tr("关键词", "Keywords").into(),
                if w.keywords.is_empty() {
                    Cell::opt(None::<String>, lang)
                } else {
                    Cell::text(w.keywords.join("、"))
                },
            ),
        ];
        let mut long_text = Vec::new();
        if let Some(t) = &w.summary {
            long_text.push((lang.tr("摘要", "Abstract").to_string(), t.clone()));
        }
        Ok(DetailPage {
            badges: vec![Cell::badge(
                lang.pick(&w.kind.label()),
                format!("w-{}", w.kind.as_str()),
            )],
            props,
            long_text,
            ..record_page::<Self>(cx, w.id, w.title.clone(), w.archived)
        })
    }

    async fn form_fields(cx: &Ctx, i: &WorkInput) -> Result<Vec<Field>, ApiError> {
        let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
        let mut experts = expert_options(s, &who.viewer).await?;
        // An expert adds their own: their name is chosen already.
        let mut person: Vec<String> = i.person_id.iter().filter(|p| !p.trim().is_empty()).cloned().collect();
        if person.is_empty() && experts.len() == 1 {
            person = vec![experts[0].0.clone()];
        }
        if let Some(id) = i.person_id.as_deref().map(str::trim).filter(|id| !id.is_empty())
            && !experts.iter().any(|(v, _)| v == id)
        {
            experts.push((id.to_string(), format!("{} #{id}", lang.tr("专家", "Expert"))));
        }
        Ok(vec![
            Field::new(lang, "person_id", ("专家", "Expert"), "select")
                .required()
                .options(lang, experts, &person),
            Field::new(lang, "kind", ("类型", "Kind"), "select").required().options(
                lang,
                code_options(lang, WorkKind::ALL, WorkKind::label, WorkKind::as_str),
                &chosen(&i.kind),
            ),
            Field::new(lang, "title", ("题名", "Title"), "text")
                .value(i.title.as_deref())
                .required(),
            Field::new(lang, "summary", ("摘要", "Abstract"), "textarea").value(i.summary.as_deref()),
            Field::new(lang, "keywords", ("关键词", "Keywords"), "text")
                .value(Some(&i.keywords.join("、")))
                .help(lang, ("用顿号或逗号分隔。", "Separate with commas.")),
            Field::new(lang, "year", ("年份", "Year"), "number").value(i.year.as_deref()),
            Field::new(lang, "venue", ("期刊/申请号", "Journal / application number"), "text")
                .value(i.venue.as_deref())
                .help(
                    lang,
                    (
                        "论文填期刊名；专利填申请号，如 CN202110123456.5",
                        "For a paper, the journal; for a patent, its application number, e.g. CN202110123456.5",
                    ),
                ),
        ])
    }
}
