//! The outcomes ledger (成果台账): the API (list with `format=xlsx`, get, create, update, archive,
//! restore, the office's confirm and return, totals per kind) and the pages (ledger with totals,
//! record page, form), plus the panels other pages show: a project's outcomes with their totals,
//! and the short list on an enterprise's home page.

mod pages;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{FormBody, Id, IfMatch, JsonBody, Query};
use crate::i18n::Lang;
use crate::resource::{routes, tagged};
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Cell, Ctx, Field, FormPage, Rejected, Section, Table};
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use hezuo_domain::access::Action;
use hezuo_domain::outcome::{
    Outcome, OutcomeData, OutcomeFilter, OutcomeInput, OutcomeKind, OutcomeStatus, OutcomeTotal,
};
use hezuo_domain::{ListParams, Money, RecordKind};
use hezuo_store::{Store, Viewer};
use serde::Deserialize;

crate::resource::resource!(
    Outcomes,
    "outcomes",
    RecordKind::Outcome,
    Outcome,
    OutcomeInput,
    OutcomeData,
    OutcomeFilter,
    list_outcomes,
    get_outcome,
    add_outcome,
    update_outcome,
    set_outcome_archived
);

pub fn router() -> Router<AppState> {
    routes::<Outcomes>()
        .at("/api/v1/outcomes/totals", get(api_totals))
        .at("/api/v1/outcomes/{id}/confirm", post(api_confirm))
        .at("/api/v1/outcomes/{id}/return", post(api_return))
        .at("/outcomes/{id}/confirm", post(page_confirm))
        .at("/outcomes/{id}/return", post(page_return))
}

/// Why an outcome is returned to its reporter.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ReturnInput {
    #[schema(required, max_length = 2000)]
    pub reason: Option<String>,
}

async fn api_totals(
    State(s): State<AppState>,
    who: Auth,
    Query(f): Query<OutcomeFilter>,
) -> Result<axum::Json<Vec<OutcomeTotal>>, ApiError> {
    Ok(axum::Json(s.store.outcome_totals(&who.viewer, &f).await?))
}

async fn set_status(
    s: &AppState,
    v: &Viewer,
    id: i64,
    to: OutcomeStatus,
    reason: Option<String>,
    expected: Option<i64>,
) -> Result<Response, ApiError> {
    let r = s.store.set_outcome_status(v, id, to, reason, expected).await?;
    let version = s.store.record_version(v, RecordKind::Outcome, id).await?;
    Ok(tagged(r, version.id))
}

async fn api_confirm(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    IfMatch(expected): IfMatch,
) -> Result<Response, ApiError> {
    set_status(&s, &who.viewer, id, OutcomeStatus::Confirmed, None, expected).await
}

async fn api_return(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    IfMatch(expected): IfMatch,
    JsonBody(i): JsonBody<ReturnInput>,
) -> Result<Response, ApiError> {
    set_status(&s, &who.viewer, id, OutcomeStatus::Returned, i.reason, expected).await
}

async fn page_confirm(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    cx.store()
        .set_outcome_status(cx.viewer(), id, OutcomeStatus::Confirmed, None, None)
        .await?;
    Ok(views::redirect(&format!("/outcomes/{id}")))
}

fn return_form(cx: &Ctx, o: &Outcome, i: &ReturnInput, r: Option<Rejected>) -> Response {
    let lang = cx.lang;
    let fields = vec![
        Field::new(lang, "reason", ("退回原因", "Why it is returned"), "textarea")
            .value(i.reason.as_deref())
            .required(),
    ];
    let heading = format!("{}{}", lang.tr("退回成果：", "Return: "), o.title);
    FormPage::new(cx, "outcomes", heading, fields, format!("/outcomes/{}", o.id))
        .rejected(r)
        .respond()
}

async fn page_return(cx: Ctx, Id(id): Id, FormBody(i): FormBody<ReturnInput>) -> Result<Response, ApiError> {
    let o = cx.store().get_outcome(cx.viewer(), id).await?;
    let saved = cx
        .store()
        .set_outcome_status(cx.viewer(), id, OutcomeStatus::Returned, i.reason.clone(), None)
        .await
        .map_err(ApiError::from);
    match Rejected::split(saved)? {
        Ok(_) => Ok(views::redirect(&format!("/outcomes/{id}"))),
        Err(r) => Ok(return_form(&cx, &o, &i, Some(r))),
    }
}

/// An amount in 万元 for a page, or "—".
pub fn wan(fen: Option<i64>) -> String {
    fen.map(|f| Money(f).wan()).unwrap_or_else(|| "—".into())
}

/// The status badge of an entry: 已确认, or 待确认 / 已退回 as such.
pub fn status_cell(lang: Lang, s: OutcomeStatus) -> Cell {
    Cell::badge(lang.pick(&s.label()), format!("o-{}", s.as_str()))
}

/// A table of outcomes, for the ledger and the panels, with reporter names looked up once.
pub async fn outcome_table(store: &Store, lang: Lang, items: &[Outcome]) -> Result<Table, ApiError> {
    let ids: Vec<i64> = items.iter().map(|o| o.organization_id).collect();
    let names = store.organization_names(&ids).await?;
    let mut t = Table::new(
        lang,
        &[
            ("成果", "Outcome"),
            ("类别", "Kind"),
            ("日期", "Date"),
            ("登记单位", "Reported by"),
            ("金额（万元）", "Amount (×10k CNY)"),
            ("状态", "Status"),
        ],
    );
    t.empty = lang.tr("尚无成果登记。", "No outcomes recorded yet.").into();
    for o in items {
        let amount = match (o.kind, o.quantity) {
            (OutcomeKind::Talent, Some(q)) => format!("{q}{}", lang.tr(" 人", " people")),
            _ => wan(o.amount_fen),
        };
        t.rows.push(vec![
            Cell::link(&o.title, format!("/outcomes/{}", o.id)),
            Cell::text(lang.pick(&o.kind.label())),
            Cell::text(o.occurred_on.to_string()),
            Cell::link(
                names.get(&o.organization_id).cloned().unwrap_or_default(),
                format!("/organizations/{}", o.organization_id),
            ),
            Cell::text(amount),
            status_cell(lang, o.status),
        ]);
    }
    Ok(t)
}

/// The totals per kind as a table: confirmed and unconfirmed apart (kinds with no entry left out).
pub fn totals_table(lang: Lang, totals: &[OutcomeTotal]) -> Table {
    let mut t = Table::new(
        lang,
        &[
            ("类别", "Kind"),
            ("已确认（项）", "Confirmed"),
            ("已确认金额（万元）", "Confirmed amount (×10k CNY)"),
            ("未确认（项，待确认或已退回）", "Unconfirmed (awaiting or returned)"),
            ("未确认金额（万元）", "Unconfirmed amount (×10k CNY)"),
        ],
    );
    t.empty = lang.tr("尚无成果登记。", "No outcomes recorded yet.").into();
    for x in totals.iter().filter(|x| x.confirmed_count + x.unconfirmed_count > 0) {
        let people = |n: i64| format!("（{n}{}）", lang.tr(" 人", " people"));
        let (cq, uq) = if x.kind == OutcomeKind::Talent {
            (people(x.confirmed_quantity), people(x.unconfirmed_quantity))
        } else {
            (String::new(), String::new())
        };
        // Kinds without an amount (a patent, an award…) show none rather than 0.00.
        let amount = |fen: i64| {
            if fen == 0 && !(x.kind.needs_amount() || x.kind == OutcomeKind::Transfer) {
                Cell::text("—")
            } else {
                Cell::text(Money(fen).wan())
            }
        };
        t.rows.push(vec![
            Cell::text(lang.pick(&x.kind.label())),
            Cell::text(format!("{}{cq}", x.confirmed_count)),
            amount(x.confirmed_amount_fen),
            Cell::text(format!("{}{uq}", x.unconfirmed_count)),
            amount(x.unconfirmed_amount_fen),
        ]);
    }
    t
}

/// One line of totals: "已确认 3 项 120.00 万元；未确认 1 项 20.00 万元".
pub fn totals_line(lang: Lang, totals: &[OutcomeTotal]) -> String {
    let sum = |f: fn(&OutcomeTotal) -> i64| totals.iter().map(f).sum::<i64>();
    format!(
        "{} {} {} {} {}；{} {} {} {} {}",
        lang.tr("已确认", "Confirmed"),
        sum(|t| t.confirmed_count),
        lang.tr("项", "entries,"),
        Money(sum(|t| t.confirmed_amount_fen)).wan(),
        lang.tr("万元", "×10k CNY"),
        lang.tr("未确认", "unconfirmed"),
        sum(|t| t.unconfirmed_count),
        lang.tr("项", "entries,"),
        Money(sum(|t| t.unconfirmed_amount_fen)).wan(),
        lang.tr("万元", "×10k CNY"),
    )
}

/// A project's outcomes panel: its entries, the totals in the title (confirmed and unconfirmed
/// apart), and 登记成果 for whoever may record one.
pub async fn project_section(cx: &Ctx, project_id: i64) -> Result<Section, ApiError> {
    let lang = cx.lang;
    let (items, totals) = cx.store().project_outcomes(cx.viewer(), project_id).await?;
    let add = cx.can(RecordKind::Outcome, None, Action::Create).await?.then(|| {
        (
            lang.tr("登记成果", "Record an outcome").to_string(),
            format!("/outcomes/new?project_id={project_id}"),
        )
    });
    Ok(Section {
        id: "outcomes",
        title: format!("{}（{}）", lang.tr("成果台账", "Outcomes"), totals_line(lang, &totals)),
        table: outcome_table(cx.store(), lang, &items).await?,
        add,
    })
}

/// An enterprise's home: its technical contracts and its latest outcomes, short.
pub async fn home_sections(cx: &Ctx) -> Result<Vec<Section>, ApiError> {
    let lang = cx.lang;
    let mut out = Vec::new();
    for (id, kind, title, href) in [
        (
            "contracts",
            Some("contract"),
            ("我的技术合同", "Our technical contracts"),
            "/outcomes?kind=contract",
        ),
        ("outcomes", None, ("我的成果", "Our outcomes"), "/outcomes"),
    ] {
        let f = OutcomeFilter {
            kind: kind.map(String::from),
            ..Default::default()
        };
        let page = cx.store().list_outcomes(cx.viewer(), &f, &ListParams::first(5)).await?;
        out.push(Section {
            id,
            title: format!("{}（{}）", lang.tr(title.0, title.1), page.total),
            table: outcome_table(cx.store(), lang, &page.items).await?,
            add: Some((lang.tr("查看全部", "See all").into(), href.into())),
        });
    }
    Ok(out)
}
