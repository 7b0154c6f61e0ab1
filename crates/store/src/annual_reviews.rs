//! The annual review (工作会议回顾), one per year, its id the year. A draft's figures are assembled
//! live from the records; its prose (title, opening, next year's work) is the office's to edit.
//! Issuing computes the content once, under the row's lock, and freezes it with its SHA-256;
//! nothing changes an issued review afterwards, and it is not issued twice.
//!
//! Who reads it: the office (and edits and issues it), leaders (drafts too), coordinators (issued
//! reviews only); no other role. The review is the city's document: its figures are always the
//! whole city's, whoever reads it (see [`city`]).

use crate::access::{Viewer, audit, check, snapshot};
use crate::records::{expect_version, version_in};
use crate::{Result, Store, StoreError, Tx, now, on_db, on_tx};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use hezuo_domain::access::{Action, Role, Scope, forbidden};
use hezuo_domain::annual_review::{
    AnnualReview, AnnualReviewContent, AnnualReviewProse, AnnualReviewStatus, Count, DecisionTally, EventLine, Figure,
    NextBatch, NextProject, OutcomeLine, PlatformLine, ProjectGroup, TrainingLine, YEARS,
};
use hezuo_domain::codes::region_group;
use hezuo_domain::event::{DecisionFilter, DecisionStatus, EventFilter};
use hezuo_domain::flag::Flag;
use hezuo_domain::outcome::{OutcomeFilter, OutcomeKind};
use hezuo_domain::platform::PlatformFilter;
use hezuo_domain::project::{ProjectFilter, ProjectKind, ProjectStatus};
use hezuo_domain::secondment::SecondmentFilter;
use hezuo_domain::{FieldErrors, ListParams, Msg, RecordKind};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// Who gives the review, as printed at its top.
pub const ISSUER: &str = crate::bulletins::ISSUER;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    title: String,
    intro: String,
    next_year: String,
    status: String,
    content_hash: Option<String>,
    issued_at: Option<DateTime<Utc>>,
    issued_by: Option<String>,
    updated_at: DateTime<Utc>,
}

const COLS: &str = "id, title, intro, next_year, status, content_hash, issued_at, issued_by, updated_at";

impl From<Row> for AnnualReview {
    fn from(r: Row) -> Self {
        AnnualReview {
            year: r.id as i32,
            title: r.title,
            intro: r.intro,
            next_year: r.next_year,
            status: AnnualReviewStatus::parse(&r.status).unwrap_or(AnnualReviewStatus::Draft),
            content_hash: r.content_hash,
            issued_at: r.issued_at,
            issued_by: r.issued_by,
            saved: true,
            updated_at: Some(r.updated_at),
        }
    }
}

/// One year on the list of reviews.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReviewYear {
    pub year: i32,
    /// None for a year whose review was never saved nor issued.
    pub review: Option<AnnualReview>,
}

/// The reader every review's figures are assembled for: the whole city, read-only.
fn city(v: &Viewer) -> Viewer {
    Viewer {
        user_id: v.user_id,
        username: v.username.clone(),
        role: Role::Leader,
        scope: Scope::All,
        ip: v.ip.clone(),
    }
}

/// Forbidden to the roles that never read a review.
pub fn may_read(v: &Viewer) -> Result<()> {
    match v.role {
        Role::Office | Role::Leader | Role::Coordinator => Ok(()),
        Role::Unit | Role::Enterprise | Role::Expert => Err(StoreError::Forbidden(forbidden())),
    }
}

fn year_ok(year: i32) -> Result<()> {
    if YEARS.contains(&year) {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// Whether `v` reads a review in this state: drafts are the office's and leaders'.
fn sees(v: &Viewer, r: &AnnualReview) -> bool {
    r.status == AnnualReviewStatus::Issued || matches!(v.role, Role::Office | Role::Leader)
}

fn already_issued() -> StoreError {
    StoreError::Conflict(FieldErrors::one(
        "status",
        Msg::new(
            "年度回顾已印发，内容不再改变",
            "The annual review is issued; it no longer changes",
        ),
    ))
}

fn china_day(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn io(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Io(std::io::Error::other(e))
}

impl Store {
    /// The years a review may be looked at: those with projects or a review, and this year,
    /// newest first — each with its review when one was saved (coordinators: issued ones only).
    pub async fn list_annual_reviews(&self, v: &Viewer) -> Result<Vec<ReviewYear>> {
        may_read(v)?;
        let sql = format!("select {COLS} from annual_review where archived = false order by id desc");
        let rows: Vec<Row> = on_db!(&self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
        let mut saved: BTreeMap<i32, AnnualReview> = rows
            .into_iter()
            .map(AnnualReview::from)
            .filter(|r| sees(v, r))
            .map(|r| (r.year, r))
            .collect();
        let mut years: Vec<i32> = if v.role == Role::Coordinator {
            saved.keys().copied().collect()
        } else {
            let mut y = self.project_years().await?;
            y.push(self.today().year());
            y.extend(saved.keys());
            y
        };
        years.retain(|y| YEARS.contains(y));
        years.sort_unstable_by(|a, b| b.cmp(a));
        years.dedup();
        Ok(years
            .into_iter()
            .map(|year| ReviewYear {
                year,
                review: saved.remove(&year),
            })
            .collect())
    }

    /// The review of `year`: the saved one, or an unsaved draft with the usual wording. NotFound
    /// for a coordinator until it is issued.
    pub async fn annual_review(&self, v: &Viewer, year: i32) -> Result<AnnualReview> {
        may_read(v)?;
        year_ok(year)?;
        let sql = format!("select {COLS} from annual_review where id = $1");
        let row: Option<Row> =
            on_db!(&self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(year as i64).fetch_optional(p).await)?;
        let r = row
            .map(AnnualReview::from)
            .unwrap_or_else(|| AnnualReview::unsaved(year));
        if sees(v, &r) { Ok(r) } else { Err(StoreError::NotFound) }
    }

    /// The review's version (its ETag): 0 while never saved.
    pub async fn annual_review_version(&self, v: &Viewer, year: i32) -> Result<crate::Version> {
        let r = self.annual_review(v, year).await?;
        if !r.saved {
            return Ok(crate::Version {
                id: 0,
                by: None,
                at: None,
            });
        }
        self.record_version(v, RecordKind::AnnualReview, year as i64).await
    }

    /// Saves a draft's prose (the first save creates it); with `expected`, only if it is still at
    /// that version (0: never saved). An issued review never changes (409).
    pub async fn update_annual_review(
        &self,
        v: &Viewer,
        year: i32,
        d: &AnnualReviewProse,
        expected: Option<i64>,
    ) -> Result<AnnualReview> {
        check(v, RecordKind::AnnualReview, Action::Update)?;
        year_ok(year)?;
        let mut tx = self.begin().await?;
        let t = now();
        let created = insert(&mut tx, year, d, t).await?;
        if created {
            if expected.is_some_and(|e| e != 0) {
                return Err(StoreError::Stale(
                    version_in(&mut tx, RecordKind::AnnualReview, year as i64).await?,
                ));
            }
            let after = fetch(&mut tx, year).await?;
            audit(
                &mut tx,
                v,
                RecordKind::AnnualReview,
                year as i64,
                "create",
                None,
                Some(&snapshot(&after)),
            )
            .await?;
            tx.commit().await?;
            return Ok(after);
        }
        expect_version(&mut tx, RecordKind::AnnualReview, year as i64, expected).await?;
        let before = fetch(&mut tx, year).await?;
        if before.status == AnnualReviewStatus::Issued {
            return Err(already_issued());
        }
        on_tx!(&mut tx, c => sqlx::query("update annual_review set title = $1, intro = $2, next_year = $3, updated_at = $4 \
                                          where id = $5 and status = 'draft'")
            .bind(&d.title).bind(&d.intro).bind(&d.next_year).bind(t).bind(year as i64)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch(&mut tx, year).await?;
        audit(
            &mut tx,
            v,
            RecordKind::AnnualReview,
            year as i64,
            "update",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Issues the review of `year`: its content is computed now (a never-saved draft with the
    /// usual wording), hashed and frozen. A second issue is refused (409).
    pub async fn issue_annual_review(&self, v: &Viewer, year: i32) -> Result<AnnualReview> {
        check(v, RecordKind::AnnualReview, Action::Update)?;
        year_ok(year)?;
        let mut tx = self.begin().await?;
        let t = now();
        if insert(&mut tx, year, &AnnualReviewProse::usual(year), t).await? {
            let after = fetch(&mut tx, year).await?;
            audit(
                &mut tx,
                v,
                RecordKind::AnnualReview,
                year as i64,
                "create",
                None,
                Some(&snapshot(&after)),
            )
            .await?;
        }
        // The row is locked (PostgreSQL; SQLite writes one at a time): no prose edit comes
        // between the content computed and the content frozen.
        expect_version(&mut tx, RecordKind::AnnualReview, year as i64, None).await?;
        let draft = fetch(&mut tx, year).await?;
        if draft.status == AnnualReviewStatus::Issued {
            return Err(already_issued());
        }
        let content = self.compute_annual_review(v, &draft).await?;
        let json = serde_json::to_string(&content).map_err(io)?;
        let hash = hex::encode(Sha256::digest(json.as_bytes()));
        let n = on_tx!(&mut tx, c => sqlx::query(
            "update annual_review set status = 'issued', content = $1, content_hash = $2, issued_at = $3, issued_by = $4, \
             updated_at = $3 where id = $5 and status = 'draft'")
            .bind(&json).bind(&hash).bind(t).bind(&v.username).bind(year as i64)
            .execute(c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(already_issued());
        }
        let after = fetch(&mut tx, year).await?;
        audit(
            &mut tx,
            v,
            RecordKind::AnnualReview,
            year as i64,
            "status",
            Some(&snapshot(&draft)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// What the review says: the frozen content once issued; today's figures for a draft.
    pub async fn annual_review_content(&self, v: &Viewer, r: &AnnualReview) -> Result<AnnualReviewContent> {
        may_read(v)?;
        if r.status == AnnualReviewStatus::Issued {
            let json: Option<String> = on_db!(&self.db, p => sqlx::query_scalar("select content from annual_review where id = $1")
                .bind(r.year as i64).fetch_one(p).await)?;
            return serde_json::from_str(&json.unwrap_or_default()).map_err(io);
        }
        self.compute_annual_review(v, r).await
    }

    async fn compute_annual_review(&self, v: &Viewer, r: &AnnualReview) -> Result<AnnualReviewContent> {
        let cv = city(v);
        let v = &cv;
        let year = r.year;
        let today = self.today();
        let this = self.year_figures(v, year).await?;
        let last = self.year_figures(v, year - 1).await?;
        let pair = |key: &str| (this.get(key).copied().unwrap_or(0), last.get(key).copied().unwrap_or(0));
        let mut figures = Vec::new();
        for (key, label, unit) in [
            ("projects", "实施合作项目", "个"),
            ("contract", "合同金额", ""),
            ("funding", "争取科研经费", ""),
            ("outcomes", "确认合作成果", "项"),
            ("transfers", "转化科技成果", "项"),
            ("local_transfers", "其中在本市转化", "项"),
            ("platforms", "新建合作平台", "个"),
            ("secondments", "挂职交流", "人次"),
            ("trainings", "举办培训实践", "期"),
            ("trained", "培训人员", "人次"),
            ("events", "召开会议活动", "次"),
            ("decisions_done", "落实议定事项", "项"),
        ] {
            let (a, b) = pair(key);
            figures.push(if unit.is_empty() {
                Figure::money(key, label, a, b)
            } else {
                Figure::new(key, label, unit, a, b)
            });
        }

        // The year's projects by kind, county and status; and five years of them.
        let city_code = self.city_region().await?;
        let summary = self.project_summary(v, Some(year), None).await?;
        let mut by_kind: Vec<ProjectGroup> = ProjectKind::ALL
            .iter()
            .map(|k| ProjectGroup {
                label: k.label().zh,
                projects: 0,
                contract_fen: 0,
                funding_fen: 0,
            })
            .collect();
        let mut by_county: BTreeMap<String, ProjectGroup> = BTreeMap::new();
        let mut by_status: BTreeMap<usize, Count> = BTreeMap::new();
        for s in &summary {
            if let Some(i) = ProjectKind::ALL.iter().position(|k| k.as_str() == s.kind) {
                add(&mut by_kind[i], s.count, s.contract_fen, s.funding_fen);
            }
            let county = region_group(city_code.as_deref(), s.region_code.as_deref()).zh;
            add(
                by_county.entry(county.clone()).or_insert_with(|| group(&county)),
                s.count,
                s.contract_fen,
                s.funding_fen,
            );
            let st = ProjectStatus::parse(&s.status);
            let i = ProjectStatus::ALL
                .iter()
                .position(|x| Some(*x) == st)
                .unwrap_or(usize::MAX);
            by_status
                .entry(i)
                .or_insert_with(|| Count {
                    label: st.map(|x| x.label().zh).unwrap_or_else(|| s.status.clone()),
                    count: 0,
                })
                .count += s.count;
        }
        let mut by_county: Vec<ProjectGroup> = by_county.into_values().collect();
        by_county.sort_by(|a, b| b.projects.cmp(&a.projects).then_with(|| a.label.cmp(&b.label)));
        let mut years = Vec::new();
        for y in year - 4..=year {
            let rows = self.project_summary(v, Some(y), None).await?;
            let mut g = group(&format!("{y}年"));
            for s in &rows {
                add(&mut g, s.count, s.contract_fen, s.funding_fen);
            }
            years.push(g);
        }

        // Outcomes confirmed in the year, by kind.
        let totals = self
            .outcome_totals(
                v,
                &OutcomeFilter {
                    year: Some(year.to_string()),
                    ..Default::default()
                },
            )
            .await?;
        let outcomes: Vec<OutcomeLine> = totals
            .iter()
            .filter(|t| t.confirmed_count > 0)
            .map(|t| OutcomeLine {
                kind: t.kind.label().zh,
                count: t.confirmed_count,
                amount_fen: t.confirmed_amount_fen,
                quantity: t.confirmed_quantity,
            })
            .collect();

        // Platforms established in the year.
        let mut platforms: Vec<PlatformLine> = self
            .platforms_established(v, year)
            .await?
            .into_iter()
            .map(|p| PlatformLine {
                name: p.name,
                kind: p.kind.label().zh,
                level: p.level.label().zh,
                established_on: p.established_on.map(|d| d.to_string()).unwrap_or_default(),
            })
            .collect();
        platforms.sort_by(|a, b| {
            a.established_on
                .cmp(&b.established_on)
                .then_with(|| a.name.cmp(&b.name))
        });

        let secondments: Vec<Count> = self
            .secondment_counts(
                v,
                &SecondmentFilter {
                    year: Some(year.to_string()),
                    ..Default::default()
                },
                crate::secondments::CountBy::Direction,
            )
            .await?
            .into_iter()
            .map(|c| Count {
                label: c.label,
                count: c.count,
            })
            .collect();
        let trainings: Vec<TrainingLine> = self
            .trained_counts(v, year, crate::trainings::TrainedBy::Kind)
            .await?
            .into_iter()
            .map(|c| TrainingLine {
                kind: c.label,
                trainings: c.trainings,
                trained: c.trained,
            })
            .collect();

        // Meetings held in the year, and the decisions due in it.
        let events = self.year_events(v, year).await?;
        let counts = self
            .decision_counts(v, &events.iter().map(|e| e.id).collect::<Vec<_>>())
            .await?;
        let events: Vec<EventLine> = events
            .into_iter()
            .map(|e| {
                let (n, done, _) = counts.get(&e.id).copied().unwrap_or_default();
                EventLine {
                    title: e.title,
                    kind: e.kind.label().zh,
                    held_on: e.held_on.to_string(),
                    decisions: n as i64,
                    done: done as i64,
                }
            })
            .collect();
        let decisions = self.decision_tally(v, year).await?;

        // The year's lead units, ranked as the bulletins rank them, up to today within the year.
        let projects = self
            .all_projects(
                v,
                &ProjectFilter {
                    batch_year: Some(year.to_string()),
                    ..Default::default()
                },
            )
            .await?;
        let year_end = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(StoreError::NotFound)?;
        let reports_by = NaiveDate::from_ymd_opt(year + 1, 12, 31).ok_or(StoreError::NotFound)?;
        let ranked = hezuo_domain::scorecard::rank(
            self.unit_progress(
                &projects,
                reports_by,
                today.min(year_end),
                crate::scorecards::Counted::Supervised,
            )
            .await?,
        );
        let (best, worst) = (
            hezuo_domain::scorecard::fast(&ranked),
            hezuo_domain::scorecard::slow(&ranked),
        );
        let units: Vec<hezuo_domain::bulletin::UnitProgress> = ranked.into_iter().map(Into::into).collect();

        // Problems still open on the year's projects.
        let titles: HashMap<i64, String> = projects.iter().map(|p| (p.id, p.title.clone())).collect();
        let problems = self.open_problems_of(v, &titles).await?;

        let next_batch = self.next_batch(v, year + 1).await?;
        Ok(AnnualReviewContent {
            issuer: ISSUER.to_string(),
            year,
            title: r.title.clone(),
            date: china_day(today),
            intro: r.intro.clone(),
            next_year_text: r.next_year.clone(),
            figures,
            by_kind,
            by_county,
            by_status: by_status.into_values().collect(),
            years,
            outcomes,
            transfers: this.get("transfers").copied().unwrap_or(0),
            local_transfers: this.get("local_transfers").copied().unwrap_or(0),
            platforms,
            secondments,
            trainings,
            events,
            decisions,
            units,
            best,
            worst,
            problems,
            next_batch,
        })
    }

    /// The key figures of one year, by key (money in fen).
    async fn year_figures(&self, v: &Viewer, year: i32) -> Result<HashMap<&'static str, i64>> {
        let mut f: HashMap<&'static str, i64> = HashMap::new();
        let summary = self.project_summary(v, Some(year), None).await?;
        f.insert("projects", summary.iter().map(|s| s.count).sum());
        f.insert("contract", summary.iter().map(|s| s.contract_fen).sum());
        f.insert("funding", summary.iter().map(|s| s.funding_fen).sum());
        let of = OutcomeFilter {
            year: Some(year.to_string()),
            ..Default::default()
        };
        let totals = self.outcome_totals(v, &of).await?;
        f.insert("outcomes", totals.iter().map(|t| t.confirmed_count).sum());
        f.insert(
            "transfers",
            totals
                .iter()
                .filter(|t| t.kind == OutcomeKind::Transfer)
                .map(|t| t.confirmed_count)
                .sum(),
        );
        f.insert("local_transfers", self.local_transfers(v, year).await?);
        f.insert("platforms", self.platforms_established(v, year).await?.len() as i64);
        let sf = SecondmentFilter {
            year: Some(year.to_string()),
            ..Default::default()
        };
        let sc = self
            .secondment_counts(v, &sf, crate::secondments::CountBy::Direction)
            .await?;
        f.insert("secondments", sc.iter().map(|c| c.count).sum());
        let tc = self.trained_counts(v, year, crate::trainings::TrainedBy::Kind).await?;
        f.insert("trainings", tc.iter().map(|c| c.trainings).sum());
        f.insert("trained", tc.iter().map(|c| c.trained).sum());
        f.insert("events", self.year_events(v, year).await?.len() as i64);
        let d = self.decision_tally(v, year).await?;
        f.insert("decisions_done", d.done);
        Ok(f)
    }

    /// Confirmed transfers of the year taken up in the city.
    async fn local_transfers(&self, v: &Viewer, year: i32) -> Result<i64> {
        let f = OutcomeFilter {
            year: Some(year.to_string()),
            kind: Some(OutcomeKind::Transfer.as_str().into()),
            status: Some("confirmed".into()),
            ..Default::default()
        };
        let mut n = 0;
        for page in 1.. {
            let p = ListParams {
                page: Some(page.to_string()),
                per_page: Some("200".into()),
                ..Default::default()
            };
            let got = self.list_outcomes(v, &f, &p).await?;
            let last = page >= got.pages();
            n += got.items.iter().filter(|o| o.in_city == Some(true)).count() as i64;
            if last {
                break;
            }
        }
        Ok(n)
    }

    /// Platforms (not archived) established in the year.
    async fn platforms_established(&self, v: &Viewer, year: i32) -> Result<Vec<hezuo_domain::platform::Platform>> {
        let mut out = Vec::new();
        for page in 1.. {
            let p = ListParams {
                page: Some(page.to_string()),
                per_page: Some("200".into()),
                ..Default::default()
            };
            let got = self.list_platforms(v, &PlatformFilter::default(), &p).await?;
            let last = page >= got.pages();
            out.extend(
                got.items
                    .into_iter()
                    .filter(|x| x.established_on.is_some_and(|d| d.year() == year)),
            );
            if last {
                break;
            }
        }
        Ok(out)
    }

    /// Meetings held in the year, first held first.
    async fn year_events(&self, v: &Viewer, year: i32) -> Result<Vec<hezuo_domain::event::Event>> {
        let f = EventFilter {
            year: Some(year.to_string()),
            ..Default::default()
        };
        let mut out = Vec::new();
        for page in 1.. {
            let p = ListParams {
                page: Some(page.to_string()),
                per_page: Some("200".into()),
                ..Default::default()
            };
            let got = self.list_events(v, &f, &p).await?;
            let last = page >= got.pages();
            out.extend(got.items);
            if last {
                break;
            }
        }
        out.sort_by(|a, b| a.held_on.cmp(&b.held_on).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// The decisions due in the year (cancelled ones left out), as they stand today.
    async fn decision_tally(&self, v: &Viewer, year: i32) -> Result<DecisionTally> {
        let all = self
            .all_decisions(
                v,
                &DecisionFilter {
                    year: Some(year.to_string()),
                    ..Default::default()
                },
            )
            .await?;
        let mut t = DecisionTally::default();
        for d in all.iter().filter(|d| d.status != DecisionStatus::Cancelled) {
            t.total += 1;
            match d.status {
                DecisionStatus::Done => {
                    t.done += 1;
                    if d.done_on.is_some_and(|x| x <= d.due_on) {
                        t.done_on_time += 1;
                    }
                }
                DecisionStatus::HandedOver => t.handed_over += 1,
                _ => {
                    t.open += 1;
                    if d.flag == Some(Flag::Red) {
                        t.late += 1;
                    }
                }
            }
        }
        Ok(t)
    }

    /// Next year's list: the batch of `year` and its projects, or (no batch yet) the projects
    /// entered for that year.
    async fn next_batch(&self, v: &Viewer, year: i32) -> Result<NextBatch> {
        let batches = self.list_batches(v, &ListParams::first(100)).await?;
        let batch = batches.items.into_iter().find(|b| b.year == year && !b.archived);
        let f = ProjectFilter {
            batch_year: Some(year.to_string()),
            batch_id: batch.as_ref().map(|b| b.id.to_string()),
            ..Default::default()
        };
        let projects = self.all_projects(v, &f).await?;
        let names = self
            .organization_names(&projects.iter().map(|p| p.lead_unit_id).collect::<Vec<_>>())
            .await?;
        let mut by_kind: Vec<Count> = Vec::new();
        for k in ProjectKind::ALL {
            let n = projects.iter().filter(|p| p.kind == *k).count() as i64;
            if n > 0 {
                by_kind.push(Count {
                    label: k.label().zh,
                    count: n,
                });
            }
        }
        Ok(NextBatch {
            year,
            title: batch.as_ref().map(|b| b.title.clone()),
            status: batch.as_ref().map(|b| b.status.label().zh),
            projects: projects
                .iter()
                .map(|p| NextProject {
                    title: p.title.clone(),
                    kind: p.kind.label().zh,
                    lead_unit: names.get(&p.lead_unit_id).cloned().unwrap_or_default(),
                    contract_fen: p.contract_amount_wan.fen(),
                })
                .collect(),
            by_kind,
        })
    }
}

fn group(label: &str) -> ProjectGroup {
    ProjectGroup {
        label: label.to_string(),
        projects: 0,
        contract_fen: 0,
        funding_fen: 0,
    }
}

fn add(g: &mut ProjectGroup, n: i64, contract: i64, funding: i64) {
    g.projects += n;
    g.contract_fen += contract;
    g.funding_fen += funding;
}

/// Inserts the draft of `year` with `d` unless it exists; whether it was inserted.
async fn insert(tx: &mut Tx, year: i32, d: &AnnualReviewProse, t: DateTime<Utc>) -> Result<bool> {
    let n = on_tx!(tx, c => sqlx::query(
        "insert into annual_review (id, title, intro, next_year, status, archived, created_at, updated_at) \
         values ($1, $2, $3, $4, 'draft', false, $5, $5) on conflict (id) do nothing")
        .bind(year as i64).bind(&d.title).bind(&d.intro).bind(&d.next_year).bind(t)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

async fn fetch(tx: &mut Tx, year: i32) -> Result<AnnualReview> {
    let sql = format!("select {COLS} from annual_review where id = $1");
    let row: Option<Row> =
        on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(year as i64).fetch_optional(c).await)?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}
