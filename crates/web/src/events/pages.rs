//! The pages of meetings and decisions: the meetings list and a meeting's page (facts, agenda and
//! minutes, who attended, and its decisions with what became of each); the decisions list with
//! their flags, a decision's page with its owner's progress form, and the two hand-over forms —
//! the project form or the problem form, prefilled from the decision.

use super::{Decisions, Events, decision_table, outcome_cell};
use crate::error::ApiError;
use crate::extract::{FormBody, Id};
use crate::i18n::Lang;
use crate::resource::{Pages, list_view, record_page, related};
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{
    self, Cell, Ctx, DetailPage, Field, FormPage, ListPage, PageForm, Rejected, Section, Table, archived_filter,
    chosen, code_options, flag_cell, query_param, sort_field,
};
use axum::Router;
use axum::response::Response;
use axum::routing::get;
use hezuo_domain::access::Action;
use hezuo_domain::event::{
    Decision, DecisionFilter, DecisionInput, DecisionStatus, Event, EventFilter, EventInput, EventKind, ProgressInput,
    legend,
};
use hezuo_domain::problem::ProblemInput;
use hezuo_domain::project::ProjectInput;
use hezuo_domain::{ListParams, Page, RecordKind};

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/decisions/{id}/progress", axum::routing::post(page_progress))
        .at("/decisions/{id}/project", get(project_form).post(project_save))
        .at("/decisions/{id}/problem", get(problem_form).post(problem_save))
}

fn kinds(lang: Lang) -> Vec<(String, String)> {
    code_options(lang, EventKind::ALL, EventKind::label, EventKind::as_str)
}

async fn org_options(cx: &Ctx) -> Result<Vec<(String, String)>, ApiError> {
    Ok(cx
        .store()
        .all_organization_names()
        .await?
        .into_iter()
        .map(|(id, n)| (id.to_string(), n))
        .collect())
}

fn ids(v: &[String]) -> Vec<String> {
    v.iter()
        .flat_map(|s| s.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

impl Pages for Events {
    const NAV: &'static str = "events";

    fn heading(lang: Lang) -> String {
        lang.tr("会议活动", "Meetings").into()
    }
    fn title(r: &Event) -> String {
        r.title.clone()
    }

    async fn list_page(cx: &Ctx, f: &EventFilter, page: Page<Event>) -> Result<ListPage, ApiError> {
        let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
        let counts = st
            .decision_counts(v, &page.items.iter().map(|e| e.id).collect::<Vec<_>>())
            .await?;
        let mut t = Table::new(
            lang,
            &[
                ("日期", "Date"),
                ("会议", "Meeting"),
                ("类型", "Kind"),
                ("地点", "Place"),
                ("议定事项", "Decisions"),
            ],
        );
        t.empty = lang
            .tr(
                "还没有会议记录。记录一次会议，写下议定事项，系统会跟踪每项落实到位。",
                "No meetings yet. Record one with its decisions, and each is followed to done.",
            )
            .into();
        for e in &page.items {
            let (n, done, late) = counts.get(&e.id).copied().unwrap_or_default();
            let mut decided = format!("{n}{}", lang.tr(" 项", ""));
            if n > 0 {
                decided.push_str(&format!("，{}{done}", lang.tr("已落实/转办 ", "done or handed over ")));
            }
            if late > 0 {
                decided.push_str(&format!("，{}{late}", lang.tr("逾期 ", "late ")));
            }
            t.rows.push(vec![
                Cell::text(e.held_on.to_string()),
                Cell::link(&e.title, format!("/events/{}", e.id)),
                Cell::text(lang.pick(&e.kind.label())),
                Cell::opt(e.place.clone(), lang),
                if late > 0 {
                    Cell::badge(decided, "f-red")
                } else {
                    Cell::text(decided)
                },
            ]);
        }
        let groups: Vec<(String, String)> = st
            .group_options(v)
            .await?
            .into_iter()
            .map(|(id, n)| (id.to_string(), n))
            .collect();
        let sort = query_param(&cx.uri, "sort");
        let filters = vec![
            Field::new(lang, "q", ("会议名称、纪要", "Title, minutes"), "text").value(f.q.as_deref()),
            Field::new(lang, "kind", ("类型", "Kind"), "select").options(lang, kinds(lang), &chosen(&f.kind)),
            Field::new(lang, "year", ("年度", "Year"), "text").value(f.year.as_deref()),
            Field::new(lang, "group_id", ("协调机构", "Coordination body"), "select").options(
                lang,
                groups,
                &chosen(&f.group_id),
            ),
            archived_filter(lang, &f.archived),
            sort_field(
                lang,
                sort.as_deref(),
                &[
                    ("-held_on", "日期（新→旧）", "Newest first"),
                    ("held_on", "日期（旧→新）", "Oldest first"),
                    ("title", "名称", "Title"),
                ],
            ),
        ];
        Ok(list_view::<Self>(cx, filters, t, &page))
    }

    async fn detail_page(cx: &Ctx, e: Event) -> Result<DetailPage, ApiError> {
        let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
        let mut org_ids = e.organization_ids.clone();
        org_ids.extend(e.organizer_id);
        let names = st.organization_names(&org_ids).await?;
        let org = |id: i64| {
            Cell::link(
                names.get(&id).cloned().unwrap_or_default(),
                format!("/organizations/{id}"),
            )
        };
        let mut props = vec![
            (
                lang.tr("类型", "Kind").to_string(),
                Cell::text(lang.pick(&e.kind.label())),
            ),
            (lang.tr("日期", "Date").into(), Cell::text(e.held_on.to_string())),
            (lang.tr("地点", "Place").into(), Cell::opt(e.place.clone(), lang)),
            (
                lang.tr("组织单位", "Organiser").into(),
                e.organizer_id
                    .map(org)
                    .unwrap_or_else(|| Cell::opt(None::<String>, lang)),
            ),
        ];
        if let Some(g) = e.group_id {
            let name = st
                .group_options(v)
                .await?
                .into_iter()
                .find(|(id, _)| *id == g)
                .map(|(_, n)| n)
                .unwrap_or_else(|| format!("#{g}"));
            props.push((
                lang.tr("协调机构", "Coordination body").into(),
                Cell::link(name, format!("/groups/{g}")),
            ));
        }
        if let Some(b) = e.batch_id
            && let Some(batch) = related(st.get_batch(v, b).await)?
        {
            props.push((
                lang.tr("审议通过的年度项目清单", "Year's project list approved").into(),
                Cell::link(batch.title, format!("/batches/{b}")),
            ));
        }
        let mut long_text = Vec::new();
        if let Some(a) = &e.agenda {
            long_text.push((lang.tr("议程", "Agenda").to_string(), a.clone()));
        }
        if let Some(m) = &e.minutes {
            long_text.push((lang.tr("会议纪要", "Minutes").to_string(), m.clone()));
        }
        let decisions = st
            .all_decisions(
                v,
                &DecisionFilter {
                    event_id: Some(e.id.to_string()),
                    ..Default::default()
                },
            )
            .await?;
        let mut dt = decision_table(st, v, lang, &decisions, false).await?;
        dt.empty = lang
            .tr(
                "本次会议尚未记录议定事项。",
                "No decisions recorded for this meeting yet.",
            )
            .into();
        let may_decide = !e.archived
            && cx.can(RecordKind::Decision, None, Action::Create).await?
            && cx.can(RecordKind::Event, Some(e.id), Action::Update).await?;
        let people_names = st.people_named(&e.person_ids).await?;
        let mut people = Table::new(lang, &[("出席人员", "Person")]);
        people.empty = lang.tr("未记录出席人员。", "No attendees recorded.").into();
        for id in &e.person_ids {
            people.rows.push(vec![Cell::link(
                people_names.get(id).cloned().unwrap_or_default(),
                format!("/people/{id}"),
            )]);
        }
        let mut orgs = Table::new(lang, &[("出席单位", "Organisation")]);
        orgs.empty = lang.tr("未记录出席单位。", "No organisations recorded.").into();
        for id in &e.organization_ids {
            orgs.rows.push(vec![org(*id)]);
        }
        let sections = vec![
            Section {
                id: "decisions",
                title: lang
                    .tr("议定事项及落实情况", "Decisions and what became of them")
                    .into(),
                table: dt,
                add: may_decide.then(|| {
                    (
                        lang.tr("添加议定事项", "Add a decision").to_string(),
                        format!("/decisions/new?event_id={}", e.id),
                    )
                }),
            },
            Section {
                id: "people",
                title: lang.tr("出席人员", "Who attended").into(),
                table: people,
                add: None,
            },
            Section {
                id: "organizations",
                title: lang.tr("出席单位", "Organisations present").into(),
                table: orgs,
                add: None,
            },
        ];
        Ok(DetailPage {
            props,
            long_text,
            sections,
            ..record_page::<Self>(cx, e.id, e.title.clone(), e.archived)
        })
    }

    async fn form_fields(cx: &Ctx, i: &EventInput) -> Result<Vec<Field>, ApiError> {
        let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
        let orgs = org_options(cx).await?;
        let people = views::person_choices(st, v).await?;
        let groups: Vec<(String, String)> = st
            .group_options(v)
            .await?
            .into_iter()
            .map(|(id, n)| (id.to_string(), n))
            .collect();
        let batches: Vec<(String, String)> = st
            .list_batches(v, &ListParams::first(50))
            .await?
            .items
            .into_iter()
            .map(|b| (b.id.to_string(), b.title))
            .collect();
        Ok(vec![
            Field::new(lang, "title", ("会议名称", "Title"), "text")
                .value(i.title.as_deref())
                .required(),
            Field::new(lang, "kind", ("类型", "Kind"), "select")
                .required()
                .options(lang, kinds(lang), &chosen(&i.kind)),
            Field::new(lang, "held_on", ("日期", "Date"), "date")
                .value(i.held_on.as_deref())
                .required(),
            Field::new(lang, "place", ("地点", "Place"), "text").value(i.place.as_deref()),
            Field::new(lang, "organizer_id", ("组织单位", "Organiser"), "select")
                .options(lang, orgs.clone(), &chosen(&i.organizer_id))
                .help(
                    lang,
                    (
                        "由组织单位所在范围的协调员维护会议记录。",
                        "Coordinators whose scope holds the organiser keep the record.",
                    ),
                ),
            Field::new(lang, "group_id", ("所属协调机构", "Coordination body"), "select").options(
                lang,
                groups,
                &chosen(&i.group_id),
            ),
            Field::new(lang, "batch_id", ("审议通过的年度项目清单", "Year's project list approved"), "select")
                .options(lang, batches, &chosen(&i.batch_id))
                .help(
                    lang,
                    (
                        "年度工作会议审议通过的年度合作项目清单。",
                        "For the annual conference: the year's list it approved.",
                    ),
                ),
            Field::new(lang, "person_ids", ("出席人员（可多选）", "Who attended"), "multi").options(
                lang,
                people,
                &ids(&i.person_ids),
            ),
            Field::new(lang, "organization_ids", ("出席单位（可多选）", "Organisations present"), "multi").options(
                lang,
                orgs,
                &ids(&i.organization_ids),
            ),
            Field::new(lang, "agenda", ("议程", "Agenda"), "textarea").value(i.agenda.as_deref()),
            Field::new(lang, "minutes", ("会议纪要", "Minutes"), "textarea")
                .value(i.minutes.as_deref())
                .help(
                    lang,
                    (
                        "段落之间空一行；纪要原件可在保存后作为附件上传。议定事项在会议页面逐项添加。",
                        "Leave a blank line between paragraphs; attach the signed minutes after saving. Add decisions one by one on the meeting's page.",
                    ),
                ),
        ])
    }
}

impl Pages for Decisions {
    const NAV: &'static str = "events";

    fn heading(lang: Lang) -> String {
        lang.tr("议定事项", "Decisions").into()
    }
    fn title(r: &Decision) -> String {
        r.title.clone()
    }

    async fn list_page(cx: &Ctx, f: &DecisionFilter, page: Page<Decision>) -> Result<ListPage, ApiError> {
        let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
        let mut table = decision_table(st, v, lang, &page.items, true).await?;
        table.empty = lang
            .tr(
                "没有符合条件的议定事项。会议的议定事项在会议页面添加。",
                "No decisions match. A meeting's decisions are added on its page.",
            )
            .into();
        let flags = vec![
            ("red".to_string(), lang.tr("红灯（逾期）", "Red (late)").to_string()),
            (
                "yellow".to_string(),
                lang.tr("黄灯（即将到期）", "Yellow (due soon)").to_string(),
            ),
            ("green".to_string(), lang.tr("绿灯", "Green").to_string()),
        ];
        let open = vec![(
            "true".to_string(),
            lang.tr("尚未落实的", "Still to carry out").to_string(),
        )];
        let sort = query_param(&cx.uri, "sort");
        let filters = vec![
            Field::new(lang, "q", ("事项、落实情况", "Decision, progress"), "text").value(f.q.as_deref()),
            Field::new(lang, "flag", ("亮灯", "Flag"), "select").options(lang, flags, &chosen(&f.flag)),
            Field::new(lang, "status", ("状态", "Status"), "select").options(
                lang,
                code_options(lang, DecisionStatus::ALL, DecisionStatus::label, DecisionStatus::as_str),
                &chosen(&f.status),
            ),
            Field::new(lang, "open", ("范围", "Which"), "select").options(lang, open, &chosen(&f.open)),
            Field::new(lang, "owner_id", ("责任单位", "Owner"), "select").options(
                lang,
                org_options(cx).await?,
                &chosen(&f.owner_id),
            ),
            Field::new(lang, "year", ("到期年度", "Due in year"), "text").value(f.year.as_deref()),
            archived_filter(lang, &f.archived),
            sort_field(
                lang,
                sort.as_deref(),
                &[
                    ("due_on", "完成时限（早→晚）", "Due first"),
                    ("-due_on", "完成时限（晚→早）", "Due last"),
                    ("-updated_at", "最近更新", "Recently updated"),
                ],
            ),
        ];
        let mut view = list_view::<Self>(cx, filters, table, &page);
        let mut rules = Table::new(lang, &[("亮灯", "Flag"), ("规则", "Rule")]);
        for (f, m) in legend() {
            rules
                .rows
                .push(vec![flag_cell(lang, Some(f)), Cell::text(lang.pick(&m))]);
        }
        view.aside
            .push((lang.tr("亮灯规则", "How decisions are flagged").into(), rules));
        Ok(view)
    }

    async fn detail_page(cx: &Ctx, d: Decision) -> Result<DetailPage, ApiError> {
        decision_page(cx, d, None).await
    }

    async fn form_fields(cx: &Ctx, i: &DecisionInput) -> Result<Vec<Field>, ApiError> {
        let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
        let events: Vec<(String, String)> = st
            .list_events(v, &EventFilter::default(), &ListParams::first(200))
            .await?
            .items
            .into_iter()
            .map(|e| (e.id.to_string(), format!("{}（{}）", e.title, e.held_on)))
            .collect();
        let people = views::person_choices(st, v).await?;
        let mut fields = vec![
            Field::new(lang, "event_id", ("会议", "Meeting"), "select")
                .required()
                .options(lang, events, &chosen(&i.event_id)),
            Field::new(lang, "title", ("议定事项", "What was decided"), "textarea")
                .value(i.title.as_deref())
                .required(),
            Field::new(lang, "owner_id", ("责任单位", "Owner unit"), "select")
                .required()
                .options(lang, org_options(cx).await?, &chosen(&i.owner_id)),
            Field::new(
                lang,
                "responsible_person_id",
                ("责任人", "Person responsible"),
                "select",
            )
            .options(lang, people, &chosen(&i.responsible_person_id))
            .help(
                lang,
                (
                    "到期前后由平台提醒责任人。",
                    "The platform reminds this person as the due date nears and passes.",
                ),
            ),
            Field::new(lang, "due_on", ("完成时限", "Due"), "date")
                .value(i.due_on.as_deref())
                .required(),
        ];
        // A new decision starts open; its status then moves with its owner's reports.
        if let Some(s) = &i.status {
            fields.push(Field::new(lang, "status", ("状态", "Status"), "hidden").value(Some(s)));
            fields
                .push(Field::new(lang, "progress", ("落实情况", "Progress"), "textarea").value(i.progress.as_deref()));
            if let Some(d) = &i.done_on {
                fields.push(Field::new(lang, "done_on", ("完成日期", "Done on"), "hidden").value(Some(d)));
            }
        }
        Ok(fields)
    }
}

/// A decision's page: its facts and flag, what became of it, its owner's progress form (shown
/// again with the refusal when `redo` holds one) and the hand-over links.
async fn decision_page(cx: &Ctx, d: Decision, redo: Option<(ProgressInput, Rejected)>) -> Result<DetailPage, ApiError> {
    let (st, v, lang) = (cx.store(), cx.viewer(), cx.lang);
    let event = related(st.get_event(v, d.event_id).await)?;
    let owner = st.organization_names(&[d.owner_id]).await?;
    let mut props = vec![
        (
            lang.tr("会议", "Meeting").to_string(),
            match &event {
                Some(e) => Cell::link(format!("{}（{}）", e.title, e.held_on), format!("/events/{}", e.id)),
                None => Cell::text(format!("#{}", d.event_id)),
            },
        ),
        (
            lang.tr("责任单位", "Owner unit").into(),
            Cell::link(
                owner.get(&d.owner_id).cloned().unwrap_or_default(),
                format!("/organizations/{}", d.owner_id),
            ),
        ),
    ];
    if let Some(p) = d.responsible_person_id {
        let n = st.people_named(&[p]).await?;
        props.push((
            lang.tr("责任人", "Person responsible").into(),
            Cell::link(n.get(&p).cloned().unwrap_or_default(), format!("/people/{p}")),
        ));
    }
    props.push((lang.tr("完成时限", "Due").into(), Cell::text(d.due_on.to_string())));
    props.push((
        lang.tr("落实结果", "What became of it").into(),
        outcome_cell(st, v, lang, &d).await?,
    ));
    let mut badges = vec![Cell::badge(
        lang.pick(&d.status.label()),
        format!("d-{}", d.status.as_str()),
    )];
    if d.flag.is_some() {
        badges.insert(0, flag_cell(lang, d.flag));
    }
    let mut long_text = vec![(lang.tr("议定事项", "What was decided").to_string(), d.title.clone())];
    if let Some(p) = &d.progress {
        long_text.push((lang.tr("落实情况", "Progress").to_string(), p.clone()));
    }
    let notice = (!d.flag_words.is_empty()).then(|| {
        d.flag_words
            .iter()
            .map(|m| lang.pick(m).to_string())
            .collect::<Vec<_>>()
            .join(lang.tr("；", "; "))
    });
    let may_update = !d.archived && cx.can(RecordKind::Decision, Some(d.id), Action::Update).await?;
    let mut forms = Vec::new();
    if may_update && d.status != DecisionStatus::HandedOver {
        let (input, rejected) = match redo {
            Some((i, r)) => (i, Some(r)),
            None => (
                ProgressInput {
                    status: Some(d.status.as_str().into()),
                    progress: d.progress.clone(),
                    done_on: d.done_on.map(|x| x.to_string()),
                },
                None,
            ),
        };
        let mut steps: Vec<DecisionStatus> = vec![d.status];
        steps.extend(d.status.next());
        let options: Vec<(String, String)> = steps
            .iter()
            .map(|s| (s.as_str().to_string(), lang.pick(&s.label()).to_string()))
            .collect();
        let fields = vec![
            Field::new(lang, "status", ("状态", "Status"), "select")
                .required()
                .options(lang, options, &chosen(&input.status)),
            Field::new(lang, "progress", ("落实情况", "What has been done"), "textarea")
                .value(input.progress.as_deref())
                .required(),
            Field::new(lang, "done_on", ("完成日期", "Done on"), "date")
                .value(input.done_on.as_deref())
                .help(
                    lang,
                    ("标为“已落实”时填写，不填为今天。", "When done; today if left blank."),
                ),
        ];
        let fields = match &rejected {
            Some(r) => Field::errors_from(fields, &r.errors, lang),
            None => fields,
        };
        forms.push(PageForm {
            id: "progress".into(),
            action: format!("/decisions/{}/progress", d.id),
            fields,
            submit: lang.tr("报告落实情况", "Report progress").into(),
            class: "primary",
            confirm: None,
            multipart: false,
        });
    }
    let mut page = DetailPage {
        badges,
        props,
        long_text,
        notice,
        forms: (!forms.is_empty()).then(|| (lang.tr("报告落实情况", "Report progress").to_string(), forms)),
        ..record_page::<Decisions>(cx, d.id, d.title.clone(), d.archived)
    };
    if d.status.is_open() && may_update {
        if cx.can(RecordKind::Project, None, Action::Create).await? {
            page.links.push((
                lang.tr("转为项目", "Turn into a project").into(),
                format!("/decisions/{}/project", d.id),
            ));
        }
        if cx.can(RecordKind::Problem, None, Action::Create).await? {
            page.links.push((
                lang.tr("转为问题协调", "Turn into a problem").into(),
                format!("/decisions/{}/problem", d.id),
            ));
        }
    }
    if !cx.can(RecordKind::Decision, Some(d.id), Action::Archive).await? {
        page.actions.clear();
    }
    // The owner unit reports through the form above; what the decision says is the organiser's.
    if !may_update
        || matches!(
            v.role,
            hezuo_domain::access::Role::Unit | hezuo_domain::access::Role::Enterprise
        )
    {
        page.edit_href = None;
    }
    Ok(page)
}

async fn page_progress(cx: Ctx, Id(id): Id, FormBody(i): FormBody<ProgressInput>) -> Result<Response, ApiError> {
    let saved = match i.validate() {
        Ok(p) => cx
            .store()
            .report_decision_progress(cx.viewer(), id, &p, None)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(ApiError::Invalid(e)),
    };
    match Rejected::split(saved)? {
        Ok(_) => Ok(views::redirect(&format!("/decisions/{id}"))),
        Err(r) => {
            let d = cx.store().get_decision(cx.viewer(), id).await?;
            let status = r.status;
            let page = decision_page(&cx, d, Some((i, r))).await?;
            Ok(views::render_with(status, &page))
        }
    }
}

/// The project form prefilled from the decision: its text as the title, its owner as the lead
/// unit, the meeting named as where the project came from.
async fn project_prefill(cx: &Ctx, d: &Decision) -> Result<ProjectInput, ApiError> {
    let event = related(cx.store().get_event(cx.viewer(), d.event_id).await)?;
    let title: String = d.title.chars().take(200).collect();
    Ok(ProjectInput {
        title: Some(title),
        lead_unit_id: Some(d.owner_id.to_string()),
        responsible_person_id: d.responsible_person_id.map(|p| p.to_string()),
        batch_year: Some(
            event
                .as_ref()
                .map(|e| e.held_on)
                .unwrap_or(d.due_on)
                .format("%Y")
                .to_string(),
        ),
        origin: Some("proposal".into()),
        origin_note: event.map(|e| format!("{}（{}）议定事项", e.title, e.held_on)),
        end_on: Some(d.due_on.to_string()),
        ..Default::default()
    })
}

async fn hand_over_form(
    cx: &Ctx,
    d: &Decision,
    fields: Vec<Field>,
    rejected: Option<Rejected>,
    what: (&'static str, &'static str),
) -> Response {
    let lang = cx.lang;
    let mut page = FormPage::new(
        cx,
        "events",
        format!("{}{}", lang.tr(what.0, what.1), d.title),
        fields,
        format!("/decisions/{}", d.id),
    )
    .rejected(rejected);
    page.confirm = Some(
        lang.tr(
            "保存后该议定事项将标为“已转办”，此后随新记录跟踪。确定？",
            "Once saved the decision is handed over and followed through the new record. Go ahead?",
        )
        .into(),
    );
    page.respond()
}

async fn open_for_hand_over(cx: &Ctx, id: i64) -> Result<Decision, ApiError> {
    cx.require(RecordKind::Decision, Some(id), Action::Update).await?;
    let d = cx.store().get_decision(cx.viewer(), id).await?;
    if !d.status.is_open() {
        return Err(ApiError::from(hezuo_store::StoreError::conflict(
            "status",
            hezuo_domain::Msg::new(
                format!("议定事项已“{}”，不能再转办", d.status.label().zh),
                format!("The decision is {}; it cannot be handed over", d.status.as_str()),
            ),
        )));
    }
    Ok(d)
}

async fn project_form(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    let d = open_for_hand_over(&cx, id).await?;
    cx.require(RecordKind::Project, None, Action::Create).await?;
    let input = project_prefill(&cx, &d).await?;
    let fields = <crate::projects::Projects as Pages>::form_fields(&cx, &input).await?;
    Ok(hand_over_form(&cx, &d, fields, None, ("转为项目：", "Turn into a project: ")).await)
}

async fn project_save(cx: Ctx, Id(id): Id, FormBody(input): FormBody<ProjectInput>) -> Result<Response, ApiError> {
    let d = cx.store().get_decision(cx.viewer(), id).await?;
    let saved = match input.validate() {
        Ok(p) => cx
            .store()
            .decision_to_project(cx.viewer(), id, &p, None)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(ApiError::Invalid(e)),
    };
    match Rejected::split(saved)? {
        Ok((_, project)) => Ok(views::redirect(&format!("/projects/{}", project.id))),
        Err(r) => {
            let fields = <crate::projects::Projects as Pages>::form_fields(&cx, &input).await?;
            Ok(hand_over_form(&cx, &d, fields, Some(r), ("转为项目：", "Turn into a project: ")).await)
        }
    }
}

async fn problem_form(cx: Ctx, Id(id): Id) -> Result<Response, ApiError> {
    let d = open_for_hand_over(&cx, id).await?;
    cx.require(RecordKind::Problem, None, Action::Create).await?;
    let input = ProblemInput {
        title: Some(d.title.chars().take(200).collect()),
        owner_id: Some(d.owner_id.to_string()),
        due_on: Some(d.due_on.to_string()),
        description: d.progress.clone(),
        ..Default::default()
    };
    let fields = <crate::problems::Problems as Pages>::form_fields(&cx, &input).await?;
    Ok(hand_over_form(&cx, &d, fields, None, ("转为问题协调：", "Turn into a problem: ")).await)
}

async fn problem_save(cx: Ctx, Id(id): Id, FormBody(input): FormBody<ProblemInput>) -> Result<Response, ApiError> {
    let d = cx.store().get_decision(cx.viewer(), id).await?;
    let saved = match input.validate() {
        Ok(p) => cx
            .store()
            .decision_to_problem(cx.viewer(), id, &p, None)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(ApiError::Invalid(e)),
    };
    match Rejected::split(saved)? {
        Ok((_, problem)) => Ok(views::redirect(&format!("/problems/{}", problem.id))),
        Err(r) => {
            let fields = <crate::problems::Problems as Pages>::form_fields(&cx, &input).await?;
            Ok(hand_over_form(&cx, &d, fields, Some(r), ("转为问题协调：", "Turn into a problem: ")).await)
        }
    }
}
