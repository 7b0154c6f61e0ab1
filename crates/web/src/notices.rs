//! Notices and news for the public portal (通知公告): the office writes, publishes and archives
//! them here (API and pages, with files as attachments); the portal shows the published ones.

use crate::error::ApiError;
use crate::i18n::Lang;
use crate::resource::{Pages, list_view, record_page, resource, routes};
use crate::state::AppState;
use crate::views::{Cell, Ctx, DetailPage, Field, ListPage, Table, archived_filter, chosen, code_options, local_time};
use axum::Router;
use hezuo_domain::Page;
use hezuo_domain::notice::{Notice, NoticeData, NoticeFilter, NoticeInput, NoticeKind, NoticeStatus};

resource!(
    Notices,
    "notices",
    hezuo_domain::RecordKind::Notice,
    Notice,
    NoticeInput,
    NoticeData,
    NoticeFilter,
    list_notices,
    get_notice,
    create_notice,
    update_notice,
    set_notice_archived
);

pub fn router() -> Router<AppState> {
    routes::<Notices>()
}

/// The table of notices (the list page).
fn notice_table(lang: Lang, items: &[Notice]) -> Table {
    let mut t = Table::new(
        lang,
        &[
            ("标题", "Title"),
            ("类别", "Kind"),
            ("状态", "Status"),
            ("发布时间", "Published"),
        ],
    );
    for n in items {
        t.rows.push(vec![
            Cell::link(&n.title, format!("/notices/{}", n.id)),
            Cell::text(lang.pick(&n.kind.label())),
            Cell::badge(lang.pick(&n.status.label()), format!("g-{}", n.status.as_str())),
            Cell::opt(n.published_at.map(local_time), lang),
        ]);
    }
    t
}

impl Pages for Notices {
    const NAV: &'static str = "notices";

    fn heading(lang: Lang) -> String {
        lang.tr("通知公告", "Notices").into()
    }
    fn title(r: &Notice) -> String {
        r.title.clone()
    }

    async fn list_page(cx: &Ctx, f: &NoticeFilter, page: Page<Notice>) -> Result<ListPage, ApiError> {
        let lang = cx.lang;
        let filters = vec![
            Field::new(lang, "q", ("标题", "Title"), "text").value(f.q.as_deref()),
            Field::new(lang, "kind", ("类别", "Kind"), "select").options(
                lang,
                code_options(lang, NoticeKind::ALL, NoticeKind::label, NoticeKind::as_str),
                &chosen(&f.kind),
            ),
            Field::new(lang, "status", ("状态", "Status"), "select").options(
                lang,
                code_options(lang, NoticeStatus::ALL, NoticeStatus::label, NoticeStatus::as_str),
                &chosen(&f.status),
            ),
            archived_filter(lang, &f.archived),
        ];
        Ok(list_view::<Self>(cx, filters, notice_table(lang, &page.items), &page))
    }

    async fn detail_page(cx: &Ctx, n: Notice) -> Result<DetailPage, ApiError> {
        let lang = cx.lang;
        let public = n.status == NoticeStatus::Published && !n.archived;
        let props = vec![
            (
                lang.tr("类别", "Kind").to_string(),
                Cell::text(lang.pick(&n.kind.label())),
            ),
            (
                lang.tr("发布时间", "Published").to_string(),
                Cell::opt(n.published_at.map(local_time), lang),
            ),
            (
                lang.tr("公开门户", "Public portal").to_string(),
                if public {
                    Cell::link(
                        lang.tr("在公开门户查看", "See it on the public portal"),
                        format!("/public/notices/{}", n.id),
                    )
                } else {
                    Cell::text(lang.tr("未公开（草稿或已归档）", "Not public (a draft or archived)"))
                },
            ),
        ];
        Ok(DetailPage {
            badges: vec![Cell::badge(
                lang.pick(&n.status.label()),
                format!("g-{}", n.status.as_str()),
            )],
            props,
            long_text: vec![(lang.tr("正文", "Text").to_string(), n.body.clone())],
            ..record_page::<Self>(cx, n.id, n.title.clone(), n.archived)
        })
    }

    async fn form_fields(cx: &Ctx, i: &NoticeInput) -> Result<Vec<Field>, ApiError> {
        let lang = cx.lang;
        Ok(vec![
            Field::new(lang, "title", ("标题", "Title"), "text")
                .value(i.title.as_deref())
                .required(),
            Field::new(lang, "kind", ("类别", "Kind"), "select").required().options(
                lang,
                code_options(lang, NoticeKind::ALL, NoticeKind::label, NoticeKind::as_str),
                &chosen(&i.kind),
            ),
            Field::new(lang, "status", ("状态", "Status"), "select")
                .required()
                .options(
                    lang,
                    code_options(lang, NoticeStatus::ALL, NoticeStatus::label, NoticeStatus::as_str),
                    &chosen(&i.status),
                )
                .help(
                    lang,
                    (
                        "“已发布”的通知公告对所有人公开（无需登录），草稿仅协调办可见",
                        "A published notice is public (no sign-in needed); a draft is seen by the office only",
                    ),
                ),
            Field::new(lang, "body", ("正文", "Text"), "textarea")
                .value(i.body.as_deref())
                .required(),
        ])
    }
}
