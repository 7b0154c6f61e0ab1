//! Chief experts (首席专家): the appointments through `resource!` (API and pages) — the list, the
//! record page with the term, the year's tally by kind, the service log and the demands matched
//! to the expert in their area — plus `GET /api/v1/chief-experts/{id}/tally` and `…/demands`,
//! and `panel`, the "首席专家" table of a person's page. The service log itself is `service_log.rs`.

mod service_log;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{Id, Query};
use crate::i18n::Lang;
use crate::resource::{Pages, list_view, record_page, routes};
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{
    Cell, Ctx, DetailPage, Field, ListPage, Section, Table, archived_filter, chosen, code_options, query_param,
    sort_field,
};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::Datelike;
use hezuo_domain::chief_expert::{
    ChiefExpert, ChiefExpertData, ChiefExpertFilter, ChiefExpertInput, ChiefField, ChiefStatus, MatchedDemand,
    ServiceLogFilter, ServiceTally,
};
use hezuo_domain::demand::DemandStatus;
use hezuo_domain::matching::MatchStatus;
use hezuo_domain::{ListParams, Page, RecordKind};
use serde::Deserialize;

pub use service_log::ServiceLogs;

crate::resource::resource!(
    ChiefExperts,
    "chief-experts",
    RecordKind::ChiefExpert,
    ChiefExpert,
    ChiefExpertInput,
    ChiefExpertData,
    ChiefExpertFilter,
    list_chief_experts,
    get_chief_expert,
    create_chief_expert,
    update_chief_expert,
    set_chief_expert_archived
);

pub fn router() -> Router<AppState> {
    routes::<ChiefExperts>()
        .merge(routes::<ServiceLogs>())
        .at("/api/v1/chief-experts/{id}/tally", get(api_tally))
        .at("/api/v1/chief-experts/{id}/demands", get(api_demands))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct TallyQuery {
    /// The year (this year when not given).
    #[serde(deserialize_with = "hezuo_domain::input::de_opt_string")]
    pub year: Option<String>,
}

/// The year a page or the API asks for, this year when none.
fn year_of(v: &Option<String>, today: chrono::NaiveDate) -> Result<i32, ApiError> {
    match hezuo_domain::input::opt_text(v) {
        None => Ok(today.year()),
        Some(_) => {
            hezuo_domain::input::year(v).map_err(|m| ApiError::Invalid(hezuo_domain::FieldErrors::one("year", m)))
        }
    }
}

async fn api_tally(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    Query(q): Query<TallyQuery>,
) -> Result<Json<Vec<ServiceTally>>, ApiError> {
    let year = year_of(&q.year, s.store.today())?;
    Ok(Json(s.store.service_tally(&who.viewer, id, year).await?))
}

async fn api_demands(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Json<Page<MatchedDemand>>, ApiError> {
    Ok(Json(Page::whole(s.store.chief_expert_demands(&who.viewer, id).await?)))
}

/// Where an appointment serves: the place, the chain, or both.
fn area(lang: Lang, c: &ChiefExpert) -> String {
    match (&c.organization_name, &c.chain) {
        (Some(o), Some(ch)) => format!("{o} · {ch}{}", lang.tr("产业链", " chain")),
        (Some(o), None) => o.clone(),
        (None, Some(ch)) => format!("{ch}{}", lang.tr("产业链", " chain")),
        (None, None) => String::new(),
    }
}

fn term(c: &ChiefExpert) -> String {
    format!("{} — {}", c.from_on, c.to_on)
}

fn status_cell(lang: Lang, s: ChiefStatus) -> Cell {
    Cell::badge(lang.pick(&s.label()), format!("c-{}", s.as_str()))
}

/// A table of appointments: expert, field, area, term, status.
pub fn chief_table(lang: Lang, items: &[ChiefExpert]) -> Table {
    let mut t = Table::new(
        lang,
        &[
            ("首席专家", "Chief expert"),
            ("领域", "Field"),
            ("服务地 / 产业链", "Place / chain"),
            ("聘任文号", "Document"),
            ("聘期", "Term"),
            ("状态", "Status"),
        ],
    );
    t.empty = lang.tr("暂无首席专家。", "No chief experts yet.").into();
    for c in items {
        t.rows.push(vec![
            Cell::link(&c.person_name, format!("/chief-experts/{}", c.id)),
            Cell::text(lang.pick(&c.field.label())),
            Cell::text(area(lang, c)),
            Cell::text(&c.document_no),
            Cell::text(term(c)),
            status_cell(lang, c.status),
        ]);
    }
    t
}

/// The "首席专家" panel of a person's page: their appointments, when they hold one the viewer may see.
pub async fn panel(cx: &Ctx, person_id: i64) -> Result<Option<Section>, ApiError> {
    let f = ChiefExpertFilter {
        person_id: Some(person_id.to_string()),
        ..Default::default()
    };
    let page = cx
        .store()
        .list_chief_experts(cx.viewer(), &f, &ListParams::first(50))
        .await?;
    if page.items.is_empty() {
        return Ok(None);
    }
    Ok(Some(Section {
        id: "chief-experts",
        title: cx.tr("首席专家", "Chief expert").into(),
        table: chief_table(cx.lang, &page.items),
        add: None,
    }))
}

/// The year's tally by kind, with the total last.
fn tally_table(lang: Lang, rows: &[ServiceTally]) -> Table {
    let mut t = Table::new(
        lang,
        &[
            ("类别", "Kind"),
            ("次数", "Entries"),
            ("时长（小时）", "Hours"),
            ("服务人数", "People served"),
        ],
    );
    for r in rows {
        let label = match r.kind {
            Some(k) => Cell::text(lang.pick(&k.label())),
            None => Cell::text(lang.tr("合计", "Total")),
        };
        t.rows.push(vec![
            label,
            Cell::text(r.count.to_string()),
            Cell::text(r.hours.to_string()),
            Cell::text(r.people_served.to_string()),
        ]);
    }
    t
}

fn demand_status(lang: Lang, code: &str) -> String {
    DemandStatus::parse(code).map_or_else(|| code.to_string(), |s| lang.pick(&s.label()).to_string())
}

fn match_status(lang: Lang, code: &str) -> String {
    MatchStatus::parse(code).map_or_else(|| code.to_string(), |s| lang.pick(&s.label()).to_string())
}

impl Pages for ChiefExperts {
    const NAV: &'static str = "chief-experts";

    fn heading(lang: Lang) -> String {
        lang.tr("首席专家", "Chief experts").into()
    }
    fn title(r: &ChiefExpert) -> String {
        r.person_name.clone()
    }

    async fn list_page(cx: &Ctx, f: &ChiefExpertFilter, page: Page<ChiefExpert>) -> Result<ListPage, ApiError> {
        let lang = cx.lang;
        let sort = query_param(&cx.uri, "sort");
        // The counties (and the city) the user reaches, by division code.
        let mut counties: Vec<(String, String)> = Vec::new();
        for (_, name, code) in cx.store().place_options(cx.viewer()).await? {
            if let Some(code) = code
                && !counties.iter().any(|(c, _)| *c == code)
            {
                counties.push((code, name));
            }
        }
        let filters = vec![
            Field::new(lang, "q", ("姓名、产业链、文号", "Name, chain, document"), "text").value(f.q.as_deref()),
            Field::new(lang, "field", ("领域", "Field"), "select").options(
                lang,
                code_options(lang, ChiefField::ALL, ChiefField::label, ChiefField::as_str),
                &chosen(&f.field),
            ),
            Field::new(lang, "county", ("服务地（区县）", "County served"), "select").options(
                lang,
                counties,
                &chosen(&f.county),
            ),
            Field::new(lang, "chain", ("产业链", "Chain"), "text").value(f.chain.as_deref()),
            Field::new(lang, "year", ("在任年度", "Serving in year"), "text").value(f.year.as_deref()),
            Field::new(lang, "status", ("状态", "Status"), "select").options(
                lang,
                code_options(lang, ChiefStatus::ALL, ChiefStatus::label, ChiefStatus::as_str),
                &chosen(&f.status),
            ),
            archived_filter(lang, &f.archived),
            sort_field(
                lang,
                sort.as_deref(),
                &[
                    ("-from_on", "聘期开始（新→旧）", "Term start, newest first"),
                    ("to_on", "聘期结束（早→晚）", "Term end, soonest first"),
                    ("id", "登记顺序", "Recorded"),
                ],
            ),
        ];
        let table = chief_table(lang, &page.items);
        let mut view = list_view::<Self>(cx, filters, table, &page);
        let filtered =
            f.q.is_some() || f.field.is_some() || f.county.is_some() || f.chain.is_some() || f.status.is_some();
        view.table.empty = if page.total == 0 && !filtered {
            lang.tr(
                "暂无首席专家。协调办或区县联络员可点击“新增”登记农业、工业首席专家的聘任（服务的县、乡镇或产业链，聘任文号和聘期）。",
                "No chief experts yet. The office or a county coordinator can record an appointment with “New” (the county, town or chain served, the document and the term).",
            )
            .into()
        } else {
            lang.tr("没有符合条件的首席专家。", "No chief expert matches.").into()
        };
        view.links
            .push((lang.tr("服务记录", "Service log").into(), "/service-log".into()));
        let q = cx.uri.query().unwrap_or("");
        view.links.push((
            lang.tr("导出 Excel", "Export to Excel").into(),
            format!(
                "/api/v1/chief-experts?{q}{}format=xlsx",
                if q.is_empty() { "" } else { "&" }
            ),
        ));
        Ok(view)
    }

    async fn detail_page(cx: &Ctx, c: ChiefExpert) -> Result<DetailPage, ApiError> {
        let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
        let year = year_of(&query_param(&cx.uri, "year"), st.today())?;
        let none = || Cell::opt(None::<String>, lang);
        let props = vec![
            (
                lang.tr("专家", "Expert").to_string(),
                Cell::link(&c.person_name, format!("/people/{}", c.person_id)),
            ),
            (lang.tr("领域", "Field").into(), Cell::text(lang.pick(&c.field.label()))),
            (
                lang.tr("服务地", "Place served").into(),
                match (c.organization_id, &c.organization_name) {
                    (Some(id), Some(n)) => Cell::link(n, format!("/organizations/{id}")),
                    _ => none(),
                },
            ),
            (
                lang.tr("产业链", "Industry chain").into(),
                Cell::opt(c.chain.clone(), lang),
            ),
            (
                lang.tr("聘任文号", "Appointment document").into(),
                Cell::text(&c.document_no),
            ),
            (lang.tr("聘任单位", "Appointed by").into(), Cell::text(&c.appointed_by)),
            (lang.tr("聘期", "Term").into(), Cell::text(term(&c))),
        ];
        let tally = st.service_tally(v, c.id, year).await?;
        let log = st
            .list_service_log(
                v,
                &ServiceLogFilter {
                    chief_expert_id: Some(c.id.to_string()),
                    year: Some(year.to_string()),
                    ..Default::default()
                },
                &ListParams::first(200),
            )
            .await?;
        let may_log = st.may_keep_log(v, c.id).await?;
        let log_table = service_log::log_table(cx, &log.items).await?;
        let demands = st.chief_expert_demands(v, c.id).await?;
        let mut dt = Table::new(
            lang,
            &[
                ("需求", "Demand"),
                ("企业", "Enterprise"),
                ("需求状态", "Demand status"),
                ("匹配状态", "Match status"),
            ],
        );
        dt.empty = if c.organization_id.is_some() {
            lang.tr(
                "服务地内尚无匹配给该专家的需求。",
                "No demand in the place served has been matched to this expert.",
            )
        } else {
            lang.tr("尚无匹配给该专家的需求。", "No demand has been matched to this expert.")
        }
        .into();
        for d in &demands {
            dt.rows.push(vec![
                Cell::link(&d.title, format!("/demands/{}", d.demand_id)),
                Cell::text(&d.enterprise_name),
                Cell::text(demand_status(lang, &d.demand_status)),
                Cell::text(match_status(lang, &d.match_status)),
            ]);
        }
        let sections = vec![
            Section {
                id: "tally",
                title: format!(
                    "{year}{}",
                    lang.tr(
                        " 年度服务统计（计入年度考核）",
                        " service tally (for the yearly appraisal)"
                    )
                ),
                table: tally_table(lang, &tally),
                add: None,
            },
            Section {
                id: "service-log",
                title: format!("{year}{}", lang.tr(" 年度服务记录", " service log")),
                table: log_table,
                add: may_log.then(|| {
                    (
                        lang.tr("登记服务记录", "Log a service").to_string(),
                        format!("/service-log/new?chief_expert_id={}", c.id),
                    )
                }),
            },
            Section {
                id: "matched-demands",
                title: lang.tr("匹配给该专家的需求", "Demands matched to this expert").into(),
                table: dt,
                add: None,
            },
        ];
        Ok(DetailPage {
            badges: vec![
                status_cell(lang, c.status),
                Cell::badge(lang.pick(&c.field.label()), format!("f-{}", c.field.as_str())),
            ],
            props,
            long_text: c
                .duties
                .iter()
                .map(|t| (lang.tr("工作职责", "Duties").to_string(), t.clone()))
                .collect(),
            sections,
            ..record_page::<Self>(cx, c.id, c.person_name.clone(), c.archived)
        })
    }

    async fn form_fields(cx: &Ctx, i: &ChiefExpertInput) -> Result<Vec<Field>, ApiError> {
        let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
        let experts: Vec<(String, String)> = st
            .expert_options()
            .await?
            .into_iter()
            .map(|(id, n, o)| (id.to_string(), format!("{n}（{o}）")))
            .collect();
        let places: Vec<(String, String)> = st
            .place_options(v)
            .await?
            .into_iter()
            .map(|(id, n, _)| (id.to_string(), n))
            .collect();
        Ok(vec![
            Field::new(lang, "person_id", ("专家", "Expert"), "select")
                .required()
                .options(lang, experts, &chosen(&i.person_id)),
            Field::new(lang, "field", ("领域", "Field"), "select")
                .required()
                .options(
                    lang,
                    code_options(lang, ChiefField::ALL, ChiefField::label, ChiefField::as_str),
                    &chosen(&i.field),
                ),
            Field::new(
                lang,
                "organization_id",
                ("服务地（县、乡镇）", "Place served (county, town)"),
                "select",
            )
            .options(lang, places, &chosen(&i.organization_id))
            .help(
                lang,
                (
                    "服务地与产业链至少填写一项。",
                    "Give the place served, the chain, or both.",
                ),
            ),
            Field::new(lang, "chain", ("产业链", "Industry chain"), "text")
                .value(i.chain.as_deref())
                .help(lang, ("如：氟硅新材料、食用菌。", "E.g. 氟硅新材料, 食用菌.")),
            Field::new(lang, "document_no", ("聘任文号", "Appointment document"), "text")
                .value(i.document_no.as_deref())
                .required(),
            Field::new(lang, "appointed_by", ("聘任单位", "Appointed by"), "text")
                .value(i.appointed_by.as_deref())
                .required(),
            Field::new(lang, "from_on", ("聘期开始", "Term from"), "date")
                .value(i.from_on.as_deref())
                .required(),
            Field::new(lang, "to_on", ("聘期结束", "Term to"), "date")
                .value(i.to_on.as_deref())
                .required(),
            Field::new(lang, "duties", ("工作职责", "Duties"), "textarea").value(i.duties.as_deref()),
        ])
    }
}
