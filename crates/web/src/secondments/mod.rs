//! Secondments (挂职): the API and pages through `resource!` — the list with its filters (direction,
//! county, year, status, flag), the flag column with its reasons and the counts above it; the
//! record page with the flag and why, the periods with each report's standing, the status steps,
//! the appraisal and the files; the form. `nested.rs` has the reports, the status steps, the
//! appraisal, the counts API and the panel of a person's page (挂职经历).

mod nested;

pub use nested::{CountsQuery, PeriodRow, SecondmentCounts, person_section};

use crate::error::ApiError;
use crate::i18n::Lang;
use crate::resource::{Pages, list_view, record_page, resource, routes};
use crate::state::AppState;
use crate::views::{
    Cell, Ctx, DetailPage, Field, ListPage, PageForm, Table, archived_filter, chosen, code_options, flag_cell,
    query_param, sort_field,
};
use axum::Router;
use hezuo_domain::Page;
use hezuo_domain::access::Action;
use hezuo_domain::flag::Flag;
use hezuo_domain::secondment::{
    AppraisalGrade, Direction, Secondment, SecondmentData, SecondmentFilter, SecondmentInput, SecondmentStatus,
};
use hezuo_domain::supervision::Cadence;
use hezuo_store::Store;
use hezuo_store::secondments::CountBy;

resource!(
    Secondments,
    "secondments",
    hezuo_domain::RecordKind::Secondment,
    Secondment,
    SecondmentInput,
    SecondmentData,
    SecondmentFilter,
    list_secondments,
    get_secondment,
    create_secondment,
    update_secondment,
    set_secondment_archived
);

pub fn router() -> Router<AppState> {
    // The counts first: `/api/v1/secondments/counts` is not a record id.
    nested::router().merge(routes::<Secondments>())
}

/// The flag rules for a secondee, in words (supervision's report rules; a secondment has no milestones).
fn legend_text(lang: Lang) -> &'static str {
    lang.tr(
        "红灯：连续两期未报送工作报告；黄灯：有一期未报送，或最近一期迟报；绿灯：按时报告；拟派和已结束的不亮灯",
        "Red: two reports in a row missing; yellow: one missing, or the last one late; green: reporting on time; \
         planned and ended secondments carry no flag",
    )
}

/// The flag's reasons in the reader's language, joined.
fn reasons(lang: Lang, s: &Secondment) -> String {
    s.flag_words
        .iter()
        .map(|m| lang.pick(m))
        .collect::<Vec<_>>()
        .join(lang.tr("；", "; "))
}

fn status_cell(lang: Lang, s: SecondmentStatus) -> Cell {
    Cell::badge(lang.pick(&s.label()), format!("s-{}", s.as_str()))
}

/// A table of secondments: flag, secondee, direction, from, to, post, term, status, why flagged.
pub async fn secondment_table(store: &Store, lang: Lang, items: &[Secondment]) -> Result<Table, ApiError> {
    let ids: Vec<i64> = items
        .iter()
        .flat_map(|s| [s.from_organization_id, s.to_organization_id])
        .collect();
    let names = store.organization_names(&ids).await?;
    let org = |id: i64| {
        Cell::link(
            names.get(&id).cloned().unwrap_or_default(),
            format!("/organizations/{id}"),
        )
    };
    let mut t = Table::new(
        lang,
        &[
            ("亮灯", "Flag"),
            ("挂职人员", "Secondee"),
            ("方向", "Direction"),
            ("派出单位", "From"),
            ("挂职单位", "Serving at"),
            ("挂职岗位", "Post"),
            ("期限", "Term"),
            ("状态", "Status"),
            ("原因", "Why"),
        ],
    );
    t.empty = lang.tr("暂无挂职记录。", "No secondments yet.").into();
    for s in items {
        t.rows.push(vec![
            flag_cell(lang, s.flag),
            Cell::link(&s.person_name, format!("/secondments/{}", s.id)),
            Cell::text(lang.pick(&s.direction.label())),
            org(s.from_organization_id),
            org(s.to_organization_id),
            Cell::text(&s.post),
            Cell::text(format!("{} — {}", s.start_on, s.last_day())),
            status_cell(lang, s.status),
            Cell::text(reasons(lang, s)),
        ]);
    }
    Ok(t)
}

/// A small table of counts whose rows link to the list filtered by them.
async fn counts_table(
    cx: &Ctx,
    f: &SecondmentFilter,
    by: CountBy,
    heading: (&str, &str),
    param: &str,
) -> Result<Table, ApiError> {
    let lang = cx.lang;
    let rows = cx.store().secondment_counts(cx.viewer(), f, by).await?;
    let mut t = Table::new(lang, &[heading, ("人次", "Secondees")]);
    t.empty = lang.tr("暂无。", "None.").into();
    for r in rows {
        let label = match by {
            CountBy::Direction => Direction::parse(&r.key).map(|k| lang.pick(&k.label()).to_string()),
            CountBy::Status => SecondmentStatus::parse(&r.key).map(|k| lang.pick(&k.label()).to_string()),
            _ => None,
        }
        .unwrap_or(r.label);
        t.rows.push(vec![
            Cell::link(label, format!("/secondments?{param}={}", r.key)),
            Cell::text(r.count.to_string()),
        ]);
    }
    Ok(t)
}

fn flags(lang: Lang) -> Vec<(String, String)> {
    code_options(lang, Flag::ALL, Flag::label, Flag::as_str)
}

impl Pages for Secondments {
    const NAV: &'static str = "secondments";

    fn heading(lang: Lang) -> String {
        lang.tr("挂职交流", "Secondments").into()
    }
    fn title(r: &Secondment) -> String {
        r.title()
    }

    async fn list_page(cx: &Ctx, f: &SecondmentFilter, page: Page<Secondment>) -> Result<ListPage, ApiError> {
        let lang = cx.lang;
        let sort = query_param(&cx.uri, "sort");
        let table = secondment_table(cx.store(), lang, &page.items).await?;
        let counties: Vec<(String, String)> = cx
            .store()
            .secondment_counts(cx.viewer(), &SecondmentFilter::default(), CountBy::County)
            .await?
            .into_iter()
            .filter(|r| !r.key.is_empty())
            .map(|r| (r.key, r.label))
            .collect();
        let filters = vec![
            Field::new(lang, "q", ("姓名或岗位", "Name or post"), "text").value(f.q.as_deref()),
            Field::new(lang, "direction", ("方向", "Direction"), "select").options(
                lang,
                code_options(lang, Direction::ALL, Direction::label, Direction::as_str),
                &chosen(&f.direction),
            ),
            Field::new(lang, "county", ("区县", "County"), "select").options(lang, counties, &chosen(&f.county)),
            Field::new(lang, "year", ("年度（在岗）", "Year (serving)"), "text").value(f.year.as_deref()),
            Field::new(lang, "status", ("状态", "Status"), "select").options(
                lang,
                code_options(
                    lang,
                    SecondmentStatus::ALL,
                    SecondmentStatus::label,
                    SecondmentStatus::as_str,
                ),
                &chosen(&f.status),
            ),
            Field::new(lang, "flag", ("亮灯", "Flag"), "select").options(lang, flags(lang), &chosen(&f.flag)),
            archived_filter(lang, &f.archived),
            sort_field(
                lang,
                sort.as_deref(),
                &[
                    ("-start_on", "开始日期（新→旧）", "Newest first"),
                    ("start_on", "开始日期（旧→新）", "Oldest first"),
                    ("end_on", "结束日期", "By end"),
                    ("post", "岗位", "Post"),
                ],
            ),
        ];
        let mut view = list_view::<Self>(cx, filters, table, &page);
        view.table.empty = if page.total == 0 && f.q.is_none() && f.direction.is_none() && f.status.is_none() {
            lang.tr(
                "暂无挂职记录。协调办或区县/学院联络员可点击“新增”登记双向挂职干部和博士。",
                "No secondments yet. The office or a coordinator can record one with “New”.",
            )
            .into()
        } else {
            lang.tr("没有符合条件的挂职记录。", "No secondment matches.").into()
        };
        view.summary = Some((
            format!(
                "{}{}",
                lang.tr(
                    "按方向统计（当前筛选）。亮灯规则：",
                    "By direction (this filter). Flags: "
                ),
                legend_text(lang)
            ),
            counts_table(cx, f, CountBy::Direction, ("方向", "Direction"), "direction").await?,
        ));
        view.aside = vec![
            (
                lang.tr("按区县统计", "By county").to_string(),
                counts_table(cx, f, CountBy::County, ("区县", "County"), "county").await?,
            ),
            (
                lang.tr("按年度统计（任期内人次）", "By year (in term)").to_string(),
                counts_table(cx, f, CountBy::Year, ("年度", "Year"), "year").await?,
            ),
            (
                lang.tr("按状态统计", "By status").to_string(),
                counts_table(cx, f, CountBy::Status, ("状态", "Status"), "status").await?,
            ),
        ];
        let q = cx.uri.query().unwrap_or("");
        view.links.push((
            lang.tr("统计（JSON）", "Counts (JSON)").into(),
            format!("/api/v1/secondments/counts?{q}"),
        ));
        Ok(view)
    }

    async fn detail_page(cx: &Ctx, s: Secondment) -> Result<DetailPage, ApiError> {
        let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
        let names = st
            .organization_names(&[s.from_organization_id, s.to_organization_id])
            .await?;
        let org = |id: i64| {
            Cell::link(
                names.get(&id).cloned().unwrap_or_default(),
                format!("/organizations/{id}"),
            )
        };
        let mut props = vec![
            (
                lang.tr("挂职人员", "Secondee").to_string(),
                Cell::link(&s.person_name, format!("/people/{}", s.person_id)),
            ),
            (
                lang.tr("方向", "Direction").into(),
                Cell::text(lang.pick(&s.direction.label())),
            ),
            (lang.tr("派出单位", "From").into(), org(s.from_organization_id)),
            (lang.tr("挂职单位", "Serving at").into(), org(s.to_organization_id)),
            (lang.tr("挂职岗位", "Post").into(), Cell::text(&s.post)),
            (
                lang.tr("挂职期限", "Term").into(),
                Cell::text(format!("{} — {}", s.start_on, s.end_on)),
            ),
            (
                lang.tr("报告周期", "Reports").into(),
                Cell::text(format!(
                    "{}{}{}",
                    lang.pick(&s.cadence.label()),
                    lang.tr("，次月 ", ", due on day "),
                    format_args!("{}{}", s.report_due_day, lang.tr(" 日前报送", " of the next month"))
                )),
            ),
        ];
        if let Some(on) = s.ended_on {
            props.push((lang.tr("结束日期", "Ended on").into(), Cell::text(on.to_string())));
        }
        let files = st
            .list_attachments(v, hezuo_domain::RecordKind::Secondment, s.id)
            .await?;
        if let Some(g) = s.appraisal_grade {
            props.push((
                lang.tr("期满考核等次", "Appraisal").into(),
                Cell::badge(lang.pick(&g.label()), format!("e-{}", g.as_str())),
            ));
            props.push((
                lang.tr("考核", "Appraised").into(),
                Cell::text(format!(
                    "{} {}",
                    s.appraised_by.clone().unwrap_or_default(),
                    s.appraised_on.map(|d| d.to_string()).unwrap_or_default()
                )),
            ));
            let evidence = s
                .appraisal_evidence_id
                .and_then(|id| files.iter().find(|a| a.id == id))
                .map(|a| Cell::link(&a.filename, format!("/api/v1/attachments/{}/content", a.id)))
                .unwrap_or_else(|| Cell::opt(None::<String>, lang));
            props.push((lang.tr("考核材料", "Evidence").into(), evidence));
        }
        let mut long_text = Vec::new();
        if let Some(t) = &s.work_plan {
            long_text.push((lang.tr("工作计划", "Work plan").to_string(), t.clone()));
        }
        if let Some(t) = &s.appraisal_comment {
            long_text.push((lang.tr("考核评语", "Appraisal comment").to_string(), t.clone()));
        }
        if let Some(t) = &s.note {
            long_text.push((lang.tr("备注", "Note").to_string(), t.clone()));
        }
        let may_update = cx
            .can(hezuo_domain::RecordKind::Secondment, Some(s.id), Action::Update)
            .await?;
        let sections = vec![
            nested::periods_section(cx, &s).await?,
            nested::reports_section(cx, &s).await?,
        ];
        let mut forms: Vec<PageForm> = Vec::new();
        if may_update && !s.archived {
            forms.extend(nested::status_forms(lang, &s));
            if s.status.ended() {
                forms.push(nested::appraisal_form(lang, &s, &files));
            }
        }
        let notice = match s.flag {
            None => match s.status {
                SecondmentStatus::Serving => None,
                other => Some(format!(
                    "{}{}",
                    lang.pick(&other.label()),
                    lang.tr("：不在岗，不亮灯。", ": not serving, so no flag.")
                )),
            },
            Some(f) if s.flag_reasons.is_empty() => Some(format!(
                "{}。{}：{}",
                lang.pick(&f.label()),
                lang.tr("亮灯规则", "Flag rules"),
                legend_text(lang)
            )),
            Some(f) => Some(format!(
                "{}：{}。{}：{}",
                lang.pick(&f.label()),
                reasons(lang, &s),
                lang.tr("亮灯规则", "Flag rules"),
                legend_text(lang)
            )),
        };
        Ok(DetailPage {
            badges: s
                .flag
                .map(|f| flag_cell(lang, Some(f)))
                .into_iter()
                .chain([
                    status_cell(lang, s.status),
                    Cell::badge(lang.pick(&s.direction.label()), format!("d-{}", s.direction.as_str())),
                ])
                .collect(),
            props,
            long_text,
            sections,
            forms: (!forms.is_empty()).then(|| (lang.tr("状态与考核", "Status and appraisal").to_string(), forms)),
            notice,
            ..record_page::<Self>(cx, s.id, s.title(), s.archived)
        })
    }

    async fn form_fields(cx: &Ctx, i: &SecondmentInput) -> Result<Vec<Field>, ApiError> {
        let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
        let people = crate::views::person_choices(st, v).await?;
        let orgs: Vec<(String, String)> = st
            .all_organization_names()
            .await?
            .into_iter()
            .map(|(id, n)| (id.to_string(), n))
            .collect();
        Ok(vec![
            Field::new(lang, "person_id", ("挂职人员", "Secondee"), "select")
                .required()
                .options(lang, people, &chosen(&i.person_id)),
            Field::new(lang, "direction", ("方向", "Direction"), "select")
                .options(
                    lang,
                    code_options(lang, Direction::ALL, Direction::label, Direction::as_str),
                    &chosen(&i.direction),
                )
                .help(
                    lang,
                    (
                        "不选时按派出单位判断：高校及其下属单位派出的为“高校→地方”。",
                        "When left blank, told from the sending organisation: a university's goes to the city.",
                    ),
                ),
            Field::new(lang, "from_organization_id", ("派出单位", "Sent from"), "select")
                .required()
                .options(lang, orgs.clone(), &chosen(&i.from_organization_id)),
            Field::new(lang, "to_organization_id", ("挂职单位", "Serving at"), "select")
                .required()
                .options(lang, orgs, &chosen(&i.to_organization_id)),
            Field::new(lang, "post", ("挂职岗位", "Post"), "text")
                .value(i.post.as_deref())
                .required()
                .help(
                    lang,
                    (
                        "如：江山市科技局副局长",
                        "e.g. deputy director of a county's science bureau",
                    ),
                ),
            Field::new(lang, "start_on", ("开始日期", "Start"), "date")
                .value(i.start_on.as_deref())
                .required(),
            Field::new(lang, "end_on", ("计划结束日期", "Planned end"), "date")
                .value(i.end_on.as_deref())
                .required(),
            Field::new(lang, "cadence", ("报告周期", "Reports"), "select")
                .options(
                    lang,
                    code_options(lang, Cadence::ALL, Cadence::label, Cadence::as_str),
                    &chosen(&i.cadence),
                )
                .help(lang, ("不选时按季度报告。", "Quarterly when left blank.")),
            Field::new(
                lang,
                "report_due_day",
                ("报送日（次月几日前）", "Due on day (of the next month)"),
                "number",
            )
            .value(i.report_due_day.as_deref())
            .help(lang, ("1–28，不填为 10 日。", "1–28; the 10th when left blank.")),
            Field::new(lang, "work_plan", ("工作计划", "Work plan"), "textarea").value(i.work_plan.as_deref()),
            Field::new(lang, "note", ("备注", "Note"), "textarea").value(i.note.as_deref()),
        ])
    }
}

/// The grades, for the appraisal form.
fn grades(lang: Lang) -> Vec<(String, String)> {
    code_options(lang, AppraisalGrade::ALL, AppraisalGrade::label, AppraisalGrade::as_str)
}
