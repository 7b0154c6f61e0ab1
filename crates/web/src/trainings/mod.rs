//! Trainings and practice (培训实践): the record through `resource!` (API and pages), its list with
//! the totals of the filtered trainings above it, its page with the participants and their
//! attendance, the evaluation and the import form; `nested.rs` holds the participants' API, the
//! spreadsheet import (page, API, template) and the counts of people trained by county and kind.

mod nested;

pub use nested::{AttendanceInput, CountsQuery, ImportAnswer, TrainedCounts};

use crate::error::ApiError;
use crate::i18n::Lang;
use crate::resource::{Pages, list_view, record_page, resource, routes};
use crate::state::AppState;
use crate::views::{
    Cell, Ctx, DetailPage, Field, ListPage, PageForm, Table, archived_filter, chosen, code_options, query_param,
    sort_field,
};
use axum::Router;
use chrono::Datelike;
use hezuo_domain::access::Action;
use hezuo_domain::training::{
    AUDIENCES, Training, TrainingData, TrainingFilter, TrainingInput, TrainingKind, TrainingStatus, show_hours,
};
use hezuo_domain::{Page, RecordKind, codes};

resource!(
    Trainings,
    "trainings",
    hezuo_domain::RecordKind::Training,
    Training,
    TrainingInput,
    TrainingData,
    TrainingFilter,
    list_trainings,
    get_training,
    create_training,
    update_training,
    set_training_archived
);

pub fn router() -> Router<AppState> {
    // The counts and the template first: `/api/v1/trainings/counts` is not a record id.
    nested::router().merge(routes::<Trainings>())
}

/// The counties of the city the demo and the forms offer: (code, name), the city first.
fn county_options(city: Option<&str>) -> Vec<(String, String)> {
    let city = city.unwrap_or("330800");
    let mut out: Vec<(String, String)> = codes::zhejiang_divisions()
        .iter()
        .filter(|d| d.code == city || (d.code.starts_with(&city[..4]) && !d.code.ends_with("00")))
        .map(|d| (d.code.clone(), d.name.clone()))
        .collect();
    out.sort();
    out
}

fn county_name(code: &Option<String>) -> Option<String> {
    code.as_deref()
        .map(|c| codes::division_name(c).unwrap_or_else(|| c.to_string()))
}

/// A table of trainings: title, kind, audience, organiser, dates, county, people, status.
pub async fn training_table(s: &AppState, lang: Lang, items: &[Training]) -> Result<Table, ApiError> {
    let ids: Vec<i64> = items.iter().map(|t| t.organizer_id).collect();
    let names = s.store.organization_names(&ids).await?;
    let mut t = Table::new(
        lang,
        &[
            ("名称", "Title"),
            ("类型", "Kind"),
            ("对象/主题", "Audience"),
            ("主办单位", "Organiser"),
            ("日期", "Dates"),
            ("服务区县", "County"),
            ("到课/名单", "Attended / listed"),
            ("状态", "Status"),
        ],
    );
    t.empty = lang.tr("暂无培训。", "No trainings yet.").into();
    for x in items {
        let dates = if x.start_on == x.end_on {
            x.start_on.to_string()
        } else {
            format!("{} – {}", x.start_on, x.end_on)
        };
        t.rows.push(vec![
            Cell::link(&x.title, format!("/trainings/{}", x.id)),
            Cell::text(lang.pick(&x.kind.label())),
            Cell::opt(x.audience.clone(), lang),
            Cell::text(names.get(&x.organizer_id).cloned().unwrap_or_default()),
            Cell::text(dates),
            Cell::opt(county_name(&x.county_code), lang),
            Cell::text(format!("{} / {}", x.attended_count, x.participant_count)),
            Cell::badge(lang.pick(&x.status.label()), format!("t-{}", x.status.as_str())),
        ]);
    }
    Ok(t)
}

impl Pages for Trainings {
    const NAV: &'static str = "trainings";

    fn heading(lang: Lang) -> String {
        lang.tr("培训实践", "Trainings").into()
    }
    fn title(r: &Training) -> String {
        r.title.clone()
    }

    async fn list_page(cx: &Ctx, f: &TrainingFilter, page: Page<Training>) -> Result<ListPage, ApiError> {
        let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
        let sort = query_param(&cx.uri, "sort");
        let table = training_table(&cx.s, lang, &page.items).await?;
        let this_year = st.today().year();
        let years: Vec<(String, String)> = (this_year - 5..=this_year + 1)
            .rev()
            .map(|y| (y.to_string(), format!("{y}{}", lang.tr("年", ""))))
            .collect();
        let filters = vec![
            Field::new(lang, "q", ("名称、对象或地点", "Title, audience or place"), "text").value(f.q.as_deref()),
            Field::new(lang, "kind", ("类型", "Kind"), "select").options(
                lang,
                code_options(lang, TrainingKind::ALL, TrainingKind::label, TrainingKind::as_str),
                &chosen(&f.kind),
            ),
            Field::new(lang, "year", ("年度", "Year"), "select").options(lang, years, &chosen(&f.year)),
            Field::new(lang, "county", ("服务区县", "County"), "select").options(
                lang,
                county_options(None),
                &chosen(&f.county),
            ),
            Field::new(lang, "status", ("状态", "Status"), "select").options(
                lang,
                code_options(lang, TrainingStatus::ALL, TrainingStatus::label, TrainingStatus::as_str),
                &chosen(&f.status),
            ),
            archived_filter(lang, &f.archived),
            sort_field(
                lang,
                sort.as_deref(),
                &[
                    ("-start_on", "开始日期（新→旧）", "Start, newest first"),
                    ("start_on", "开始日期（旧→新）", "Start, oldest first"),
                    ("title", "名称", "Title"),
                ],
            ),
        ];
        let mut view = list_view::<Self>(cx, filters, table, &page);
        let filtered =
            f.q.is_some() || f.kind.is_some() || f.year.is_some() || f.county.is_some() || f.status.is_some();
        view.table.empty = if page.total == 0 && !filtered {
            lang.tr(
                "暂无培训。协调办或联络员可点击“新增”登记培训班、讲座论坛和社会实践，再在培训页面导入学员名单。",
                "No trainings yet. The office or a coordinator can add classes, lectures and practice with “New”, then import the participants on its page.",
            )
            .into()
        } else {
            lang.tr("没有符合条件的培训。", "No training matches.").into()
        };
        let totals = st.training_totals(v, f).await?;
        let mut sum = Table::new(
            lang,
            &[
                ("培训（场次）", "Trainings"),
                ("名单人数", "Listed"),
                ("到课人数", "Attended"),
            ],
        );
        sum.rows.push(vec![
            Cell::text(totals.trainings.to_string()),
            Cell::text(totals.participants.to_string()),
            Cell::text(totals.attended.to_string()),
        ]);
        view.summary = Some((lang.tr("合计（按当前筛选）", "Totals (as filtered)").into(), sum));
        let year = f.year.clone().unwrap_or_else(|| this_year.to_string());
        view.links.push((
            lang.tr("培训人数统计", "People trained").into(),
            format!("/trainings/counts?year={year}"),
        ));
        Ok(view)
    }

    async fn detail_page(cx: &Ctx, t: Training) -> Result<DetailPage, ApiError> {
        let (st, lang) = (cx.store(), cx.lang);
        let mut ids = vec![t.organizer_id];
        ids.extend(t.co_organizer_id);
        let names = st.organization_names(&ids).await?;
        let org = |id: i64| {
            Cell::link(
                names.get(&id).cloned().unwrap_or_default(),
                format!("/organizations/{id}"),
            )
        };
        let none = || Cell::opt(None::<String>, lang);
        let dates = if t.start_on == t.end_on {
            t.start_on.to_string()
        } else {
            format!("{} – {}", t.start_on, t.end_on)
        };
        let props = vec![
            (
                lang.tr("类型", "Kind").to_string(),
                Cell::text(lang.pick(&t.kind.label())),
            ),
            (
                lang.tr("对象/主题", "Audience").into(),
                Cell::opt(t.audience.clone(), lang),
            ),
            (lang.tr("主办单位", "Organiser").into(), org(t.organizer_id)),
            (
                lang.tr("协办单位", "Co-organiser").into(),
                t.co_organizer_id.map_or_else(none, org),
            ),
            (lang.tr("日期", "Dates").into(), Cell::text(dates)),
            (lang.tr("地点", "Place").into(), Cell::opt(t.place.clone(), lang)),
            (
                lang.tr("学时", "Class hours").into(),
                Cell::opt(t.hours.map(show_hours), lang),
            ),
            (
                lang.tr("服务区县", "County served").into(),
                Cell::opt(county_name(&t.county_code), lang),
            ),
            (
                lang.tr("计划人数", "Planned headcount").into(),
                Cell::opt(t.planned_headcount.map(|n| n.to_string()), lang),
            ),
            (
                lang.tr("名单 / 到课", "Listed / attended").into(),
                Cell::text(format!("{} / {}", t.participant_count, t.attended_count)),
            ),
            (
                lang.tr("评价得分（1–5）", "Score (1–5)").into(),
                Cell::opt(t.evaluation_score.map(|s| format!("{s:.1}")), lang),
            ),
        ];
        let may_edit = cx.can(RecordKind::Training, Some(t.id), Action::Update).await?;
        let (people, removals) = nested::participants_section(cx, &t, may_edit).await?;
        let mut forms: Vec<PageForm> = Vec::new();
        if may_edit {
            forms.push(nested::import_form(lang, t.id));
        }
        forms.extend(removals);
        let mut long_text = Vec::new();
        if let Some(s) = &t.summary {
            long_text.push((lang.tr("内容简介", "Content").to_string(), s.clone()));
        }
        if let Some(s) = &t.evaluation_summary {
            long_text.push((lang.tr("评价小结", "Evaluation").to_string(), s.clone()));
        }
        Ok(DetailPage {
            badges: vec![
                Cell::badge(lang.pick(&t.status.label()), format!("t-{}", t.status.as_str())),
                Cell::badge(lang.pick(&t.kind.label()), format!("k-{}", t.kind.as_str())),
            ],
            props,
            long_text,
            sections: vec![people],
            forms: (!forms.is_empty()).then(|| {
                (
                    lang.tr("导入学员名单与调整名单", "Import and change the list")
                        .to_string(),
                    forms,
                )
            }),
            ..record_page::<Self>(cx, t.id, t.title.clone(), t.archived)
        })
    }

    async fn form_fields(cx: &Ctx, i: &TrainingInput) -> Result<Vec<Field>, ApiError> {
        let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
        let orgs: Vec<(String, String)> = st
            .training_organizer_options(v)
            .await?
            .into_iter()
            .map(|(id, n)| (id.to_string(), n))
            .collect();
        let audiences = AUDIENCES.join("、");
        Ok(vec![
            Field::new(lang, "title", ("名称", "Title"), "text")
                .value(i.title.as_deref())
                .required(),
            Field::new(lang, "kind", ("类型", "Kind"), "select").required().options(
                lang,
                code_options(lang, TrainingKind::ALL, TrainingKind::label, TrainingKind::as_str),
                &chosen(&i.kind),
            ),
            Field::new(lang, "audience", ("对象/主题", "Audience or theme"), "text")
                .value(i.audience.as_deref())
                .help(lang, (&format!("如：{audiences}"), &format!("e.g. {audiences}"))),
            Field::new(lang, "organizer_id", ("主办单位", "Organiser"), "select")
                .required()
                .options(lang, orgs.clone(), &chosen(&i.organizer_id)),
            Field::new(lang, "co_organizer_id", ("协办单位", "Co-organiser"), "select").options(
                lang,
                orgs,
                &chosen(&i.co_organizer_id),
            ),
            Field::new(lang, "start_on", ("开始日期", "Start"), "date")
                .value(i.start_on.as_deref())
                .required(),
            Field::new(lang, "end_on", ("结束日期", "End"), "date")
                .value(i.end_on.as_deref())
                .help(lang, ("不填则与开始日期相同。", "The start date when left blank.")),
            Field::new(lang, "place", ("地点", "Place"), "text").value(i.place.as_deref()),
            Field::new(lang, "hours", ("学时", "Class hours"), "number").value(i.hours.as_deref()),
            Field::new(lang, "county_code", ("服务区县", "County served"), "select").options(
                lang,
                county_options(None),
                &chosen(&i.county_code),
            ),
            Field::new(lang, "planned_headcount", ("计划人数", "Planned headcount"), "number")
                .value(i.planned_headcount.as_deref()),
            Field::new(lang, "status", ("状态", "Status"), "select")
                .required()
                .options(
                    lang,
                    code_options(lang, TrainingStatus::ALL, TrainingStatus::label, TrainingStatus::as_str),
                    &chosen(&i.status),
                ),
            Field::new(lang, "evaluation_score", ("评价得分（1–5）", "Score (1–5)"), "text")
                .value(i.evaluation_score.as_deref())
                .help(
                    lang,
                    (
                        "学员评价的平均分；举办后填写。",
                        "The participants' average score, once it was held.",
                    ),
                ),
            Field::new(lang, "evaluation_summary", ("评价小结", "Evaluation"), "textarea")
                .value(i.evaluation_summary.as_deref()),
            Field::new(lang, "summary", ("内容简介", "Content"), "textarea").value(i.summary.as_deref()),
        ])
    }
}
