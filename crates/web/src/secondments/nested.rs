//! What hangs under a secondment: its reports (filed by the secondee, or by the office or a
//! coordinator), its periods with each report's standing, the status steps, the end-of-term
//! appraisal, the counts (`/api/v1/secondments/counts`) — in the API and on the pages — and the
//! 挂职经历 panel of a person's page.

use super::{grades, secondment_table};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{FormBody, Id, IfMatch, JsonBody, Query};
use crate::i18n::Lang;
use crate::resource::{created, tagged};
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{self, Cell, Ctx, Field, FormPage, PageForm, Rejected, Section, Table, chosen, local_time};
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use hezuo_domain::access::Action;
use hezuo_domain::attachment::Attachment;
use hezuo_domain::platform::CountRow;
use hezuo_domain::secondment::{
    AppraisalInput, Secondment, SecondmentFilter, SecondmentReport, SecondmentReportInput, SecondmentStatus,
    StatusInput,
};
use hezuo_domain::supervision::Standing;
use hezuo_domain::{ListParams, Page, RecordKind};
use hezuo_store::secondments::CountBy;
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/api/v1/secondments/counts", get(api_counts))
        .at("/api/v1/secondments/{id}/reports", get(api_reports).post(api_file))
        .at("/api/v1/secondments/{id}/periods", get(api_periods))
        .at("/api/v1/secondments/{id}/status", post(api_status))
        .at("/api/v1/secondments/{id}/appraisal", post(api_appraise))
        .at("/api/v1/secondment-reports/{id}", get(api_report))
        .at("/secondments/{id}/reports/new", get(page_report).post(page_file))
        .at("/secondments/{id}/status", post(page_status))
        .at("/secondments/{id}/appraisal", post(page_appraise))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CountsQuery {
    /// direction (the default), county, year or status.
    pub by: Option<String>,
}

/// `{"rows": [{"key", "label", "count"}]}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SecondmentCounts {
    pub rows: Vec<CountRow>,
}

/// One period of the term and where its report stands today.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PeriodRow {
    /// `2026-Q1` or `2026-03`.
    pub period: String,
    /// 2026年第一季度.
    pub name: String,
    pub due: chrono::NaiveDate,
    pub first_filed_on: Option<chrono::NaiveDate>,
    /// `not_due`, `on_time`, `late` or `missing`.
    pub standing: String,
}

fn standing_code(s: Standing) -> &'static str {
    match s {
        Standing::NotDue => "not_due",
        Standing::OnTime => "on_time",
        Standing::Late => "late",
        Standing::Missing => "missing",
    }
}

fn standing_cell(lang: Lang, s: Standing) -> Cell {
    match s {
        Standing::NotDue => Cell::text(lang.tr("未到报送日", "Not due yet")),
        Standing::OnTime => Cell::badge(lang.tr("按时报送", "On time"), "f-green"),
        Standing::Late => Cell::badge(lang.tr("迟报", "Late"), "f-yellow"),
        Standing::Missing => Cell::badge(lang.tr("未报送", "Missing"), "f-red"),
    }
}

async fn api_counts(
    State(s): State<AppState>,
    who: Auth,
    Query(q): Query<CountsQuery>,
    Query(f): Query<SecondmentFilter>,
) -> Result<Json<SecondmentCounts>, ApiError> {
    let by = CountBy::parse(q.by.as_deref().unwrap_or("direction"))?;
    Ok(Json(SecondmentCounts {
        rows: s.store.secondment_counts(&who.viewer, &f, by).await?,
    }))
}

async fn api_reports(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
) -> Result<Json<Page<SecondmentReport>>, ApiError> {
    Ok(Json(Page::whole(s.store.secondment_reports(&who.viewer, id).await?)))
}

async fn api_file(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    JsonBody(i): JsonBody<SecondmentReportInput>,
) -> Result<Response, ApiError> {
    let r = s.store.file_secondment_report(&who.viewer, id, &i.validate()?).await?;
    Ok(created(format!("/api/v1/secondment-reports/{}", r.id), r))
}

async fn api_report(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Json<SecondmentReport>, ApiError> {
    Ok(Json(s.store.get_secondment_report(&who.viewer, id).await?))
}

async fn api_periods(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Json<Page<PeriodRow>>, ApiError> {
    let sec = s.store.get_secondment(&who.viewer, id).await?;
    let rows = s
        .store
        .secondment_periods(&who.viewer, &sec)
        .await?
        .into_iter()
        .map(|p| PeriodRow {
            period: p.label,
            name: p.name,
            due: p.due,
            first_filed_on: p.first_filed_on,
            standing: standing_code(p.standing).into(),
        })
        .collect();
    Ok(Json(Page::whole(rows)))
}

async fn tagged_secondment(s: &AppState, who: &Auth, r: Secondment) -> Result<Response, ApiError> {
    let version = s
        .store
        .record_version(&who.viewer, RecordKind::Secondment, r.id)
        .await?;
    Ok(tagged(r, version.id))
}

async fn api_status(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    IfMatch(expected): IfMatch,
    JsonBody(i): JsonBody<StatusInput>,
) -> Result<Response, ApiError> {
    let (to, on) = i.validate()?;
    let r = s.store.set_secondment_status(&who.viewer, id, to, on, expected).await?;
    tagged_secondment(&s, &who, r).await
}

async fn api_appraise(
    State(s): State<AppState>,
    who: Auth,
    Id(id): Id,
    IfMatch(expected): IfMatch,
    JsonBody(i): JsonBody<AppraisalInput>,
) -> Result<Response, ApiError> {
    let r = s
        .store
        .appraise_secondment(&who.viewer, id, &i.validate()?, expected)
        .await?;
    tagged_secondment(&s, &who, r).await
}

/// The periods of the term, each with its due day, first filing and standing today.
pub(super) async fn periods_section(cx: &Ctx, s: &Secondment) -> Result<Section, ApiError> {
    let lang = cx.lang;
    let periods = cx.store().secondment_periods(cx.viewer(), s).await?;
    let mut t = Table::new(
        lang,
        &[
            ("期次", "Period"),
            ("应报日期", "Due by"),
            ("首次报送", "First filed"),
            ("报送情况", "Standing"),
        ],
    );
    t.empty = lang
        .tr("挂职期内没有报告期。", "No reporting period in the term.")
        .into();
    for p in &periods {
        t.rows.push(vec![
            Cell::text(&p.name),
            Cell::text(p.due.to_string()),
            Cell::opt(p.first_filed_on.map(|d| d.to_string()), lang),
            standing_cell(lang, p.standing),
        ]);
    }
    Ok(Section {
        id: "periods",
        title: lang.tr("报告期与报送情况", "Reporting periods").into(),
        table: t,
        add: None,
    })
}

/// Whether `cx`'s user may file a report on `s` (the secondee, the office, a coordinator in scope).
async fn may_file(cx: &Ctx, s: &Secondment) -> Result<bool, ApiError> {
    Ok(s.status != SecondmentStatus::Planned
        && !s.archived
        && cx.viewer().role.may(RecordKind::SecondmentReport, Action::Create))
}

/// The reports filed: the latest version of each period first, with the older versions after it.
pub(super) async fn reports_section(cx: &Ctx, s: &Secondment) -> Result<Section, ApiError> {
    let lang = cx.lang;
    let all = cx.store().secondment_reports(cx.viewer(), s.id).await?;
    let mut t = Table::new(
        lang,
        &[
            ("期次", "Period"),
            ("工作情况", "Work done"),
            ("存在问题", "Problems"),
            ("下步计划", "Next steps"),
            ("报送人", "Filed by"),
            ("报送时间", "Filed"),
            ("版本", "Version"),
        ],
    );
    t.empty = lang.tr("还没有挂职工作报告。", "No reports yet.").into();
    for r in &all {
        let filed = format!(
            "{}{}",
            local_time(r.filed_at),
            if r.late { lang.tr("（迟报）", " (late)") } else { "" }
        );
        t.rows.push(vec![
            Cell::text(&r.period),
            Cell::text(&r.work_done),
            Cell::opt(r.problems_text.clone(), lang),
            Cell::opt(r.next_steps.clone(), lang),
            Cell::text(&r.filed_by),
            if r.late {
                Cell::badge(filed, "f-yellow")
            } else {
                Cell::text(filed)
            },
            Cell::text(format!("v{}", r.version)),
        ]);
    }
    Ok(Section {
        id: "reports",
        title: lang.tr("挂职工作报告", "Reports").into(),
        table: t,
        add: may_file(cx, s).await?.then(|| {
            (
                lang.tr("填报工作报告", "File a report").into(),
                format!("/secondments/{}/reports/new", s.id),
            )
        }),
    })
}

/// One small form per status step open: to serving, or ended early / completed with the day.
pub(super) fn status_forms(lang: Lang, s: &Secondment) -> Vec<PageForm> {
    s.status
        .next()
        .into_iter()
        .map(|to| {
            let mut fields = vec![Field::new(lang, "status", ("", ""), "hidden").value(Some(to.as_str()))];
            if to.ended() {
                fields.push(Field::new(lang, "ended_on", ("结束日期", "Ended on"), "date").help(
                    lang,
                    match to {
                        SecondmentStatus::Completed => ("不填为计划结束日期。", "The planned end when left blank."),
                        _ => ("不填为今天。", "Today when left blank."),
                    },
                ));
            }
            PageForm {
                id: format!("status-{}", to.as_str()),
                action: format!("/secondments/{}/status", s.id),
                fields,
                submit: format!("→ {}", lang.pick(&to.label())),
                class: if to == SecondmentStatus::EndedEarly {
                    "danger"
                } else {
                    ""
                },
                confirm: to.ended().then(|| {
                    lang.tr(
                        "结束后不能恢复为在岗，确定？",
                        "An ended secondment cannot serve again. Go on?",
                    )
                    .to_string()
                }),
                multipart: false,
            }
        })
        .collect()
}

fn appraisal_fields(lang: Lang, i: &AppraisalInput, files: &[Attachment]) -> Vec<Field> {
    let evidence: Vec<(String, String)> = files.iter().map(|a| (a.id.to_string(), a.filename.clone())).collect();
    vec![
        Field::new(lang, "grade", ("考核等次", "Grade"), "select")
            .required()
            .options(lang, grades(lang), &chosen(&i.grade)),
        Field::new(lang, "comment", ("考核评语", "Comment"), "textarea")
            .value(i.comment.as_deref())
            .required(),
        Field::new(
            lang,
            "evidence_id",
            ("考核材料（本记录的附件）", "Evidence (one of the files)"),
            "select",
        )
        .options(lang, evidence, &chosen(&i.evidence_id))
        .help(
            lang,
            (
                "请先在下方“附件”中上传考核表等材料，再在此选择。",
                "Upload the appraisal form under “Attachments” below first, then choose it here.",
            ),
        ),
    ]
}

/// The end-of-term appraisal's form on the record page, pre-filled with the one given.
pub(super) fn appraisal_form(lang: Lang, s: &Secondment, files: &[Attachment]) -> PageForm {
    let i = AppraisalInput {
        grade: s.appraisal_grade.map(|g| g.as_str().to_string()),
        comment: s.appraisal_comment.clone(),
        evidence_id: s.appraisal_evidence_id.map(|i| i.to_string()),
    };
    PageForm {
        id: "appraisal".into(),
        action: format!("/secondments/{}/appraisal", s.id),
        fields: appraisal_fields(lang, &i, files),
        submit: lang.tr("保存期满考核", "Save the appraisal").into(),
        class: "primary",
        confirm: None,
        multipart: false,
    }
}

async fn page_status(cx: Ctx, Id(id): Id, FormBody(i): FormBody<StatusInput>) -> Result<Response, ApiError> {
    let s = cx.store().get_secondment(cx.viewer(), id).await?;
    let saved = match i.validate() {
        Ok((to, on)) => cx
            .store()
            .set_secondment_status(cx.viewer(), id, to, on, None)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(ApiError::Invalid(e)),
    };
    match Rejected::split(saved)? {
        Ok(_) => Ok(views::redirect(&format!("/secondments/{id}"))),
        Err(r) => {
            let lang = cx.lang;
            let fields = vec![
                Field::new(lang, "status", ("状态", "Status"), "select")
                    .required()
                    .options(
                        lang,
                        s.status
                            .next()
                            .into_iter()
                            .map(|x| (x.as_str().to_string(), lang.pick(&x.label()).to_string()))
                            .collect(),
                        &chosen(&i.status),
                    ),
                Field::new(lang, "ended_on", ("结束日期", "Ended on"), "date").value(i.ended_on.as_deref()),
            ];
            let heading = format!("{}{}", lang.tr("变更挂职状态：", "Change the status: "), s.title());
            Ok(
                FormPage::new(&cx, "secondments", heading, fields, format!("/secondments/{id}"))
                    .rejected(Some(r))
                    .respond(),
            )
        }
    }
}

async fn page_appraise(cx: Ctx, Id(id): Id, FormBody(i): FormBody<AppraisalInput>) -> Result<Response, ApiError> {
    let s = cx.store().get_secondment(cx.viewer(), id).await?;
    let saved = match i.validate() {
        Ok(d) => cx
            .store()
            .appraise_secondment(cx.viewer(), id, &d, None)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(ApiError::Invalid(e)),
    };
    match Rejected::split(saved)? {
        Ok(_) => Ok(views::redirect(&format!("/secondments/{id}"))),
        Err(r) => {
            let files = cx
                .store()
                .list_attachments(cx.viewer(), RecordKind::Secondment, id)
                .await?;
            let heading = format!("{}{}", cx.tr("期满考核：", "Appraisal: "), s.title());
            Ok(FormPage::new(
                &cx,
                "secondments",
                heading,
                appraisal_fields(cx.lang, &i, &files),
                format!("/secondments/{id}"),
            )
            .rejected(Some(r))
            .respond())
        }
    }
}

/// The filing form: the periods of the term that have begun, latest first.
async fn report_form(
    cx: &Ctx,
    s: &Secondment,
    i: &SecondmentReportInput,
    r: Option<Rejected>,
) -> Result<Response, ApiError> {
    let lang = cx.lang;
    let today = cx.store().today();
    let periods: Vec<(String, String)> = cx
        .store()
        .secondment_periods(cx.viewer(), s)
        .await?
        .into_iter()
        .filter(|p| p.due <= today + chrono::Duration::days(120))
        .rev()
        .map(|p| {
            let state = lang
                .pick(&match p.standing {
                    Standing::Missing => hezuo_domain::Msg::new("，未报送", ", missing"),
                    Standing::Late | Standing::OnTime => hezuo_domain::Msg::new("，已报送", ", filed"),
                    Standing::NotDue => hezuo_domain::Msg::new("", ""),
                })
                .to_string();
            (
                p.label.clone(),
                format!("{}（{} {}{state}）", p.name, p.due, lang.tr("前报送", "due")),
            )
        })
        .collect();
    let fields = vec![
        Field::new(lang, "period", ("期次", "Period"), "select")
            .required()
            .options(lang, periods, &chosen(&i.period)),
        Field::new(lang, "work_done", ("本期工作情况", "Work done"), "textarea")
            .value(i.work_done.as_deref())
            .required(),
        Field::new(lang, "problems_text", ("存在问题", "Problems met"), "textarea").value(i.problems_text.as_deref()),
        Field::new(lang, "next_steps", ("下步计划", "Next steps"), "textarea").value(i.next_steps.as_deref()),
    ];
    let heading = format!("{} · {}", lang.tr("填报挂职工作报告", "File a report"), s.title());
    Ok(FormPage::new(
        cx,
        "secondments",
        heading,
        fields,
        format!("/secondments/{}#reports", s.id),
    )
    .rejected(r)
    .respond())
}

async fn page_report(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    // Not found outside the scope, then refused to a role that never files one.
    let s = cx.store().get_secondment(cx.viewer(), id).await?;
    cx.require(RecordKind::SecondmentReport, None, Action::Create).await?;
    report_form(&cx, &s, &SecondmentReportInput::default(), None).await
}

async fn page_file(cx: Ctx, Id(id): Id, FormBody(i): FormBody<SecondmentReportInput>) -> Result<Response, ApiError> {
    let s = cx.store().get_secondment(cx.viewer(), id).await?;
    let saved = match i.validate() {
        Ok(d) => cx
            .store()
            .file_secondment_report(cx.viewer(), id, &d)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(ApiError::Invalid(e)),
    };
    match Rejected::split(saved)? {
        Ok(_) => Ok(views::redirect(&format!("/secondments/{id}#reports"))),
        Err(r) => report_form(&cx, &s, &i, Some(r)).await,
    }
}

/// The 挂职经历 panel of a person's page: their secondments as the reader may see them.
pub async fn person_section(cx: &Ctx, person_id: i64) -> Result<Section, ApiError> {
    let lang = cx.lang;
    let f = SecondmentFilter {
        person_id: Some(person_id.to_string()),
        ..Default::default()
    };
    let page = cx
        .store()
        .list_secondments(cx.viewer(), &f, &ListParams::first(50))
        .await?;
    let mut table = secondment_table(cx.store(), lang, &page.items).await?;
    table.empty = lang.tr("无挂职经历。", "No secondment.").into();
    let add = cx.can(RecordKind::Secondment, None, Action::Create).await?.then(|| {
        (
            lang.tr("登记挂职", "Record a secondment").to_string(),
            format!("/secondments/new?person_id={person_id}"),
        )
    });
    Ok(Section {
        id: "secondments",
        title: lang.tr("挂职经历", "Secondments").into(),
        table,
        add,
    })
}
