//! Solicitation campaigns (征集活动) and their coverage: demands collected per target county and
//! per industry against the quota. API and pages through the shared record handlers, plus
//! `GET /api/v1/campaigns/{id}/coverage`.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::Id;
use crate::i18n::Lang;
use crate::resource::{Pages, list_view, record_page, related, resource, routes};
use crate::routing::RouteExt;
use crate::state::AppState;
use crate::views::{Cell, Ctx, DetailPage, Field, ListPage, Section, Table, archived_filter, chosen};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use hezuo_domain::Page;
use hezuo_domain::campaign::{Campaign, CampaignData, CampaignFilter, CampaignInput, Coverage};
use hezuo_domain::codes;
use serde::Serialize;

resource!(
    Campaigns,
    "campaigns",
    hezuo_domain::RecordKind::Campaign,
    Campaign,
    CampaignInput,
    CampaignData,
    CampaignFilter,
    list_campaigns,
    get_campaign,
    create_campaign,
    update_campaign,
    set_campaign_archived
);

pub fn router() -> Router<AppState> {
    Router::new()
        .at("/api/v1/campaigns/{id}/coverage", get(api_coverage))
        .merge(routes::<Campaigns>())
}

/// A campaign's coverage: every target county (and any other county demands came from), and the
/// industries demands were filed under.
#[derive(Debug, Serialize)]
pub struct CoverageBody {
    pub county: Vec<Coverage>,
    pub industry: Vec<Coverage>,
}

async fn api_coverage(State(s): State<AppState>, who: Auth, Id(id): Id) -> Result<Json<CoverageBody>, ApiError> {
    let (county, industry) = s.store.campaign_coverage(&who.viewer, id).await?;
    Ok(Json(CoverageBody { county, industry }))
}

/// Where a campaign stands on `today`: (label, badge class).
fn phase(lang: Lang, c: &Campaign, today: NaiveDate) -> Cell {
    let (zh, en, class) = if today < c.starts_on {
        ("未开始", "Not started", "s-planned")
    } else if today > c.ends_on {
        ("已结束", "Ended", "s-completed")
    } else {
        ("进行中", "Under way", "s-in_progress")
    };
    Cell::badge(lang.tr(zh, en), class)
}

fn period(lang: Lang, c: &Campaign) -> String {
    format!("{} {} {}", c.starts_on, lang.tr("至", "to"), c.ends_on)
}

fn quota_text(lang: Lang, q: Option<i64>) -> Cell {
    Cell::opt(q.map(|q| format!("{q} {}", lang.tr("项/县", "per county"))), lang)
}

fn region_names(codes_: &[String]) -> Vec<String> {
    codes_
        .iter()
        .map(|c| codes::division_name(c).unwrap_or_else(|| c.clone()))
        .collect()
}

fn industry_names(codes_: &[String]) -> Vec<String> {
    codes_
        .iter()
        .map(|c| {
            codes::industry_name(c)
                .map(|n| format!("{c} {n}"))
                .unwrap_or_else(|| c.clone())
        })
        .collect()
}

/// The coverage by county: demands against the quota, with the counties still short marked.
fn county_table(lang: Lang, rows: &[Coverage]) -> Table {
    let mut t = Table::new(
        lang,
        &[
            ("县（市、区）", "County"),
            ("已征集需求", "Demands collected"),
            ("名额", "Quota"),
            ("完成情况", "Progress"),
        ],
    );
    t.empty = lang
        .tr(
            "本次征集未指定县（市、区），也还没有征集到需求。",
            "No target counties and no demands yet.",
        )
        .into();
    for c in rows {
        let status = if c.short() {
            Cell::badge(lang.tr("未达名额", "Short of quota"), "m-overdue")
        } else if c.quota.is_some() {
            Cell::badge(lang.tr("已达名额", "Quota reached"), "m-done")
        } else {
            Cell::opt(None::<String>, lang)
        };
        t.rows.push(vec![
            Cell::text(&c.name),
            Cell::text(c.demands.to_string()),
            Cell::opt(c.quota.map(|q| q.to_string()), lang),
            status,
        ]);
    }
    t
}

fn industry_table(lang: Lang, rows: &[Coverage]) -> Table {
    let mut t = Table::new(lang, &[("行业", "Industry"), ("已征集需求", "Demands collected")]);
    t.empty = lang
        .tr(
            "本次征集未指定行业，也还没有征集到需求。",
            "No target industries and no demands yet.",
        )
        .into();
    for c in rows {
        let name = if c.code.is_empty() {
            c.name.clone()
        } else {
            format!("{} {}", c.code, c.name)
        };
        t.rows.push(vec![Cell::text(name), Cell::text(c.demands.to_string())]);
    }
    t
}

impl Pages for Campaigns {
    // Campaigns are where demands come from: they sit in the demands section.
    const NAV: &'static str = "demands";

    fn heading(lang: Lang) -> String {
        lang.tr("需求征集活动", "Solicitation campaigns").into()
    }
    fn title(r: &Campaign) -> String {
        r.title.clone()
    }

    async fn list_page(cx: &Ctx, f: &CampaignFilter, page: Page<Campaign>) -> Result<ListPage, ApiError> {
        let (s, lang) = (&cx.s, cx.lang);
        let ids: Vec<i64> = page.items.iter().map(|c| c.organizer_id).collect();
        let names = s.store.organization_names(&ids).await?;
        let today = s.store.today();
        let mut table = Table::new(
            lang,
            &[
                ("活动名称", "Campaign"),
                ("组织单位", "Organiser"),
                ("征集期", "Period"),
                ("每县名额", "Quota per county"),
                ("状态", "Status"),
            ],
        );
        for c in &page.items {
            table.rows.push(vec![
                Cell::link(&c.title, format!("/campaigns/{}", c.id)),
                Cell::link(
                    names.get(&c.organizer_id).cloned().unwrap_or_default(),
                    format!("/organizations/{}", c.organizer_id),
                ),
                Cell::text(period(lang, c)),
                Cell::opt(c.quota_per_county.map(|q| q.to_string()), lang),
                phase(lang, c, today),
            ]);
        }
        let filters = vec![
            Field::new(lang, "q", ("活动名称", "Campaign"), "text").value(f.q.as_deref()),
            archived_filter(lang, &f.archived),
        ];
        let mut view = list_view::<Self>(cx, filters, table, &page);
        if f.q.as_deref().unwrap_or("").trim().is_empty() && f.archived.is_none() {
            view.table.empty = lang.tr("还没有征集活动。", "No campaigns yet.").into();
        }
        Ok(view)
    }

    async fn detail_page(cx: &Ctx, c: Campaign) -> Result<DetailPage, ApiError> {
        let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
        let org = related(s.store.get_organization(&who.viewer, c.organizer_id).await)?;
        let names = s.store.organization_names(&[c.organizer_id]).await?;
        let (by_county, by_industry) = s.store.campaign_coverage(&who.viewer, c.id).await?;
        let list_or_all = |v: Vec<String>, all: (&'static str, &'static str)| {
            if v.is_empty() {
                Cell::text(lang.tr(all.0, all.1))
            } else {
                Cell::text(v.join("、"))
            }
        };
        let props = vec![
            (
                lang.tr("组织单位", "Organiser").to_string(),
                match &org {
                    Some(o) => Cell::link(&o.name, format!("/organizations/{}", o.id)),
                    None => Cell::text(names.get(&c.organizer_id).cloned().unwrap_or_default()),
                },
            ),
            (lang.tr("征集期", "Period").into(), Cell::text(period(lang, &c))),
            (
                lang.tr("目标县（市、区）", "Target counties").into(),
                list_or_all(region_names(&c.target_regions), ("全部县（市、区）", "Every county")),
            ),
            (
                lang.tr("目标行业", "Target industries").into(),
                list_or_all(industry_names(&c.target_industries), ("全部行业", "Every industry")),
            ),
            (
                lang.tr("每县名额", "Quota per county").into(),
                quota_text(lang, c.quota_per_county),
            ),
        ];
        let mut long_text = Vec::new();
        if let Some(d) = &c.description {
            long_text.push((lang.tr("活动说明", "Description").to_string(), d.clone()));
        }
        let demands = (
            lang.tr("查看本次征集的需求", "Demands of this campaign").to_string(),
            format!("/demands?campaign_id={}", c.id),
        );
        let sections = vec![
            Section {
                id: "coverage-county",
                title: lang.tr("按县（市、区）统计", "Coverage by county").into(),
                table: county_table(lang, &by_county),
                add: Some(demands),
            },
            Section {
                id: "coverage-industry",
                title: lang.tr("按行业统计", "Coverage by industry").into(),
                table: industry_table(lang, &by_industry),
                add: None,
            },
        ];
        Ok(DetailPage {
            badges: vec![phase(lang, &c, s.store.today())],
            props,
            long_text,
            sections,
            ..record_page::<Self>(cx, c.id, c.title.clone(), c.archived)
        })
    }

    async fn form_fields(cx: &Ctx, i: &CampaignInput) -> Result<Vec<Field>, ApiError> {
        let (s, who, lang) = (&cx.s, &cx.who, cx.lang);
        let orgs: Vec<(String, String)> = s
            .store
            .organization_options(&who.viewer)
            .await?
            .into_iter()
            .map(|(id, name, _)| (id.to_string(), name))
            .collect();
        let divisions = codes::zhejiang_divisions();
        let counties: Vec<(String, String)> = divisions
            .iter()
            .filter(|d| !d.code.ends_with("00"))
            .map(|d| {
                let city = d
                    .parent
                    .as_deref()
                    .and_then(|p| divisions.iter().find(|x| x.code == p))
                    .map(|x| format!("{}·", x.name))
                    .unwrap_or_default();
                (d.code.clone(), format!("{city}{}", d.name))
            })
            .collect();
        let sections: Vec<(String, String)> = codes::industries()
            .iter()
            .filter(|x| x.code.len() == 1)
            .map(|x| (x.code.clone(), format!("{} {}", x.code, x.name)))
            .collect();
        Ok(vec![
            Field::new(lang, "title", ("活动名称", "Title"), "text")
                .value(i.title.as_deref())
                .required(),
            Field::new(lang, "organizer_id", ("组织单位", "Organiser"), "select")
                .required()
                .options(lang, orgs, &chosen(&i.organizer_id)),
            Field::new(lang, "starts_on", ("开始日期", "Starts on"), "date")
                .value(i.starts_on.as_deref())
                .required(),
            Field::new(lang, "ends_on", ("结束日期", "Ends on"), "date")
                .value(i.ends_on.as_deref())
                .required(),
            Field::new(lang, "target_regions", ("目标县（市、区）", "Target counties"), "multi")
                .options(lang, counties, &i.target_regions)
                .help(
                    lang,
                    (
                        "不选即面向全部县（市、区）。按住 Ctrl（Mac 为 ⌘）可多选。",
                        "Leave empty for every county. Hold Ctrl (⌘ on a Mac) to choose several.",
                    ),
                ),
            Field::new(lang, "target_industries", ("目标行业", "Target industries"), "multi")
                .options(lang, sections, &i.target_industries)
                .help(
                    lang,
                    (
                        "GB/T 4754 国民经济行业门类；不选即面向全部行业。",
                        "GB/T 4754 sections; leave empty for every industry.",
                    ),
                ),
            Field::new(lang, "quota_per_county", ("每县名额", "Quota per county"), "number")
                .value(i.quota_per_county.as_deref())
                .help(
                    lang,
                    (
                        "每个目标县（市、区）应征集的需求数。",
                        "Demands expected from each target county.",
                    ),
                ),
            Field::new(lang, "description", ("活动说明", "Description"), "textarea").value(i.description.as_deref()),
        ])
    }
}
