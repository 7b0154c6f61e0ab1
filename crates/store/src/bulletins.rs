//! Supervision bulletins (督查通报): a draft shows the period's figures live; issuing computes them
//! once, gives the document its number, and freezes the content with its SHA-256. Nothing changes an
//! issued bulletin afterwards.

use crate::access::{Viewer, audit, check, must_see, restrict, snapshot};
use crate::records::expect_version;
use crate::sql::{Q, fetch_page};
use crate::{Result, Store, StoreError, Tx, now, on_db, on_tx};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use hezuo_domain::access::Action;
use hezuo_domain::bulletin::{
    Bulletin, BulletinContent, BulletinProse, BulletinStatus, DecisionLine, FlaggedProject, OpenProblem, UnitProgress,
};
use hezuo_domain::event::{Decision, DecisionFilter, DecisionStatus};
use hezuo_domain::problem::ProblemFilter;
use hezuo_domain::project::{ProjectFilter, ProjectStatus};
use hezuo_domain::supervision::{Flag, period_by_label};
use hezuo_domain::{FieldErrors, ListParams, Msg, Page, RecordKind};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// Who issues bulletins, as printed at the top of the document.
pub const ISSUER: &str = "市校全面合作协调委员会办公室";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    batch_id: i64,
    period: String,
    title: String,
    intro: String,
    closing: String,
    status: String,
    year: Option<i32>,
    seq: Option<i32>,
    content_hash: Option<String>,
    issued_at: Option<DateTime<Utc>>,
    issued_by: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLS: &str = "id, batch_id, period, title, intro, closing, status, year, seq, content_hash, issued_at, issued_by, \
                    created_at, updated_at";

impl From<Row> for Bulletin {
    fn from(r: Row) -> Self {
        Bulletin {
            id: r.id,
            batch_id: r.batch_id,
            period: r.period,
            title: r.title,
            intro: r.intro,
            closing: r.closing,
            status: BulletinStatus::parse(&r.status).unwrap_or(BulletinStatus::Draft),
            number: r.year.zip(r.seq).map(|(y, s)| format!("〔{y}〕{s}号")),
            content_hash: r.content_hash,
            issued_at: r.issued_at,
            issued_by: r.issued_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl Store {
    pub async fn list_bulletins(&self, v: &Viewer, p: &ListParams) -> Result<Page<Bulletin>> {
        let mut q = Q::new("from bulletin where archived = false");
        restrict(&mut q, v, RecordKind::Bulletin, "bulletin");
        let (total, rows) = fetch_page!(self, Row, COLS, q, "id desc", p);
        Ok(Page {
            items: rows.into_iter().map(Into::into).collect(),
            ..Page::counted(total, p)
        })
    }

    pub async fn get_bulletin(&self, v: &Viewer, id: i64) -> Result<Bulletin> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Bulletin, id).await?;
        let b = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(b)
    }

    /// Starts a draft for a batch and period, with the usual wording to edit.
    pub async fn create_bulletin(&self, v: &Viewer, batch_id: i64, period: &str) -> Result<Bulletin> {
        check(v, RecordKind::Bulletin, Action::Create)?;
        let batch = self.get_batch(v, batch_id).await.map_err(|e| match e {
            StoreError::NotFound => crate::access::unknown("batch_id", ("年度项目清单", "batch"), batch_id),
            other => other,
        })?;
        let per = period_by_label(batch.year, batch.cadence, batch.report_due_day as u32, period).ok_or_else(|| {
            StoreError::invalid(
                "period",
                Msg::new(
                    format!("“{period}”不是该清单的期次"),
                    format!("“{period}” is not a period of that batch"),
                ),
            )
        })?;
        let name = per.name(batch.cadence);
        let title = format!("关于{name}市校合作项目推进情况的督查通报");
        let intro = format!(
            "为推动{}落实，协调委员会办公室对{name}各项目推进进度表执行和进度填报情况进行了督查。现将有关情况通报如下。",
            batch.title
        );
        let closing = "请各责任单位对照推进进度表，抓紧落实亮红灯、黄灯项目的整改措施，按时报送下期进度；协调委员会办公室将继续跟踪督查。".to_string();
        let mut tx = self.begin().await?;
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into bulletin (batch_id, period, title, intro, closing, status, archived, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, 'draft', false, $6, $6) returning id")
            .bind(batch_id).bind(period).bind(&title).bind(&intro).bind(&closing).bind(t)
            .fetch_one(c).await)?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Bulletin,
            id,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Edits a draft's prose; an issued bulletin never changes (409).
    pub async fn update_bulletin(
        &self,
        v: &Viewer,
        id: i64,
        d: &BulletinProse,
        expected: Option<i64>,
    ) -> Result<Bulletin> {
        check(v, RecordKind::Bulletin, Action::Update)?;
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Bulletin, id).await?;
        expect_version(&mut tx, RecordKind::Bulletin, id, expected).await?;
        let before = fetch(&mut tx, id).await?;
        frozen(&before)?;
        on_tx!(&mut tx, c => sqlx::query("update bulletin set title = $1, intro = $2, closing = $3, updated_at = $4 where id = $5 and status = 'draft'")
            .bind(&d.title).bind(&d.intro).bind(&d.closing).bind(now()).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Bulletin,
            id,
            "update",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Issues a draft: its figures are computed now, numbered 〔year〕n号, hashed and frozen.
    pub async fn issue_bulletin(&self, v: &Viewer, id: i64) -> Result<Bulletin> {
        check(v, RecordKind::Bulletin, Action::Update)?;
        let draft = self.get_bulletin(v, id).await?;
        frozen(&draft)?;
        let today = self.today();
        let year = today.year();
        let mut tx = self.begin().await?;
        if let crate::Tx::Postgres(t) = &mut tx {
            // One number per bulletin even when two are issued at once.
            sqlx::query("lock table bulletin in share row exclusive mode")
                .execute(&mut **t)
                .await?;
        }
        let seq: i32 = on_tx!(&mut tx, c => sqlx::query_scalar("select coalesce(max(seq), 0) + 1 from bulletin where year = $1")
            .bind(year).fetch_one(c).await)?;
        let number = format!("〔{year}〕{seq}号");
        let content = self.compute_content(v, &draft, &number).await?;
        let json = serde_json::to_string(&content).map_err(|e| StoreError::Io(std::io::Error::other(e)))?;
        let hash = hex::encode(Sha256::digest(json.as_bytes()));
        let n = on_tx!(&mut tx, c => sqlx::query(
            "update bulletin set status = 'issued', year = $1, seq = $2, content = $3, content_hash = $4, issued_at = $5, \
             issued_by = $6, updated_at = $5 where id = $7 and status = 'draft'")
            .bind(year).bind(seq).bind(&json).bind(&hash).bind(now()).bind(&v.username).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(already_issued());
        }
        let after = fetch(&mut tx, id).await?;
        // 通报印发: every webhook that chose it hears of it, in this transaction (issue 18).
        crate::webhooks::record_event(
            &mut tx,
            &crate::webhooks::NewEvent {
                kind: hezuo_domain::webhook::WebhookEvent::BulletinIssued,
                key: format!("bulletin_issued:{id}"),
                organization_id: None,
                record: (RecordKind::Bulletin, id),
                title: format!("督查通报印发：{}", after.title),
                body: format!(
                    "- 通报：{}\n- 文号：{number}\n- 期间：{}\n- 印发：{}",
                    after.title, after.period, v.username
                ),
                path: format!("/bulletins/{id}"),
                data: serde_json::json!({
                    "bulletin_id": id, "title": after.title, "number": number, "period": after.period,
                    "issued_by": v.username,
                }),
            },
        )
        .await?;
        audit(
            &mut tx,
            v,
            RecordKind::Bulletin,
            id,
            "status",
            Some(&snapshot(&draft)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// What the bulletin says: frozen content once issued; today's figures for a draft.
    pub async fn bulletin_content(&self, v: &Viewer, b: &Bulletin) -> Result<BulletinContent> {
        if b.status == BulletinStatus::Issued {
            let json: Option<String> = on_db!(&self.db, p => sqlx::query_scalar("select content from bulletin where id = $1")
                .bind(b.id).fetch_one(p).await)?;
            let json = json.unwrap_or_default();
            return serde_json::from_str(&json).map_err(|e| StoreError::Io(std::io::Error::other(e)));
        }
        self.compute_content(v, b, "〔 〕 号").await
    }

    async fn compute_content(&self, v: &Viewer, b: &Bulletin, number: &str) -> Result<BulletinContent> {
        let batch = self.get_batch(v, b.batch_id).await?;
        let per = period_by_label(batch.year, batch.cadence, batch.report_due_day as u32, &b.period)
            .ok_or(StoreError::NotFound)?;
        let today = self.today();
        let mut projects = Vec::new();
        for page in 1.. {
            let p = ListParams {
                page: Some(page.to_string()),
                per_page: Some("200".into()),
                ..Default::default()
            };
            let f = ProjectFilter {
                batch_id: Some(b.batch_id.to_string()),
                ..Default::default()
            };
            let got = self.list_projects(v, &f, &p).await?;
            let last = page >= got.pages();
            projects.extend(got.items);
            if last {
                break;
            }
        }
        let leads: Vec<i64> = projects.iter().map(|p| p.lead_unit_id).collect();
        let names = self.organization_names(&leads).await?;
        let mut by_status: BTreeMap<usize, (String, usize)> = BTreeMap::new();
        let mut by_kind: BTreeMap<usize, (String, usize)> = BTreeMap::new();
        for p in &projects {
            let si = ProjectStatus::ALL.iter().position(|s| *s == p.status).unwrap_or(0);
            by_status.entry(si).or_insert((p.status.label().zh, 0)).1 += 1;
            let ki = hezuo_domain::project::ProjectKind::ALL
                .iter()
                .position(|k| *k == p.kind)
                .unwrap_or(0);
            by_kind.entry(ki).or_insert((p.kind.label().zh, 0)).1 += 1;
        }
        // Every period of the year up to this one, as the flags read them: one definition of on
        // time, and the one ranking of units (快马/蜗牛) the scorecards show too.
        let ranked = hezuo_domain::scorecard::rank(
            self.unit_progress(&projects, per.due, per.end, crate::scorecards::Counted::Supervised)
                .await?,
        );
        let best = hezuo_domain::scorecard::fast(&ranked);
        let worst = hezuo_domain::scorecard::slow(&ranked);
        let units: Vec<UnitProgress> = ranked.into_iter().map(Into::into).collect();
        let mut flagged: Vec<FlaggedProject> = projects
            .iter()
            .filter_map(|p| p.flag.filter(|f| *f != Flag::Green).map(|f| (p, f)))
            .map(|(p, f)| FlaggedProject {
                flag: f.label().zh,
                title: p.title.clone(),
                lead_unit: names.get(&p.lead_unit_id).cloned().unwrap_or_default(),
                reasons: p.flag_reasons.join("；"),
            })
            .collect();
        flagged.sort_by_key(|f| f.flag != Flag::Red.label().zh);
        let titles: HashMap<i64, String> = projects.iter().map(|p| (p.id, p.title.clone())).collect();
        let problems = self.open_problems_of(v, &titles).await?;
        let decisions = self.bulletin_decisions(v, batch.year, per.end).await?;
        Ok(BulletinContent {
            issuer: ISSUER.to_string(),
            number: number.to_string(),
            date: format!("{}年{}月{}日", today.year(), today.month(), today.day()),
            title: b.title.clone(),
            batch: batch.title.clone(),
            period: per.name(batch.cadence),
            intro: b.intro.clone(),
            closing: b.closing.clone(),
            by_status: by_status.into_values().collect(),
            by_kind: by_kind.into_values().collect(),
            units,
            best,
            worst,
            flagged,
            problems,
            decisions,
        })
    }

    /// The problems still open (up to 200, as `v` may see them) on the projects in `titles` (id →
    /// title): what a bulletin and the annual review both list.
    pub(crate) async fn open_problems_of(&self, v: &Viewer, titles: &HashMap<i64, String>) -> Result<Vec<OpenProblem>> {
        let open = self
            .list_problems(
                v,
                &ProblemFilter {
                    open: Some("true".into()),
                    ..Default::default()
                },
                &ListParams {
                    per_page: Some("200".into()),
                    ..Default::default()
                },
            )
            .await?;
        let owners = self
            .organization_names(&open.items.iter().map(|p| p.owner_id).collect::<Vec<_>>())
            .await?;
        Ok(open
            .items
            .iter()
            .filter(|p| titles.contains_key(&p.project_id))
            .map(|pr| OpenProblem {
                title: pr.title.clone(),
                project: titles.get(&pr.project_id).cloned().unwrap_or_default(),
                owner: owners.get(&pr.owner_id).cloned().unwrap_or_default(),
                due: pr.due_on.map(|d| d.to_string()).unwrap_or_default(),
                status: pr.status.label().zh,
            })
            .collect())
    }

    /// The decisions a bulletin of `year` up to `end` reports: those of the year's meetings (held
    /// by `end`) that are due by `end` or still open, cancelled ones left out, late ones first.
    async fn bulletin_decisions(&self, v: &Viewer, year: i32, end: NaiveDate) -> Result<Vec<DecisionLine>> {
        let today = self.today();
        let all = self.all_decisions(v, &DecisionFilter::default()).await?;
        // The year's meetings, one query: those a decision of the bulletin may come from.
        let f = hezuo_domain::event::EventFilter {
            year: Some(year.to_string()),
            ..Default::default()
        };
        let mut events: HashMap<i64, hezuo_domain::event::Event> = HashMap::new();
        for page in 1.. {
            let p = ListParams {
                page: Some(page.to_string()),
                per_page: Some("200".into()),
                ..Default::default()
            };
            let got = self.list_events(v, &f, &p).await?;
            let last = page >= got.pages();
            events.extend(got.items.into_iter().map(|e| (e.id, e)));
            if last {
                break;
            }
        }
        let owners = self
            .organization_names(&all.iter().map(|d| d.owner_id).collect::<Vec<_>>())
            .await?;
        let mut picked: Vec<&Decision> = all
            .iter()
            .filter(|d| {
                events.get(&d.event_id).is_some_and(|e| e.held_on <= end)
                    && d.status != DecisionStatus::Cancelled
                    && (d.due_on <= end || d.status.is_open())
            })
            .collect();
        picked.sort_by_key(|d| (d.flag != Some(Flag::Red), !d.status.is_open(), d.due_on, d.id));
        Ok(picked
            .into_iter()
            .map(|d| {
                let e = &events[&d.event_id];
                let note = match d.status {
                    DecisionStatus::Done => format!("{}落实", d.done_on.map(|x| x.to_string()).unwrap_or_default()),
                    DecisionStatus::HandedOver if d.project_id.is_some() => "已转为合作项目推进".into(),
                    DecisionStatus::HandedOver => "已转为问题协调办理".into(),
                    _ if d.due_on < today => format!("逾期{}天", (today - d.due_on).num_days()),
                    _ => d.progress.clone().unwrap_or_default(),
                };
                DecisionLine {
                    event: format!("{}（{}）", e.title, e.held_on),
                    title: d.title.clone(),
                    owner: owners.get(&d.owner_id).cloned().unwrap_or_default(),
                    due: d.due_on.to_string(),
                    status: d.status.label().zh,
                    flag: d.flag.map(|f| f.label().zh).unwrap_or_default(),
                    note,
                }
            })
            .collect())
    }
}

fn already_issued() -> StoreError {
    StoreError::Conflict(FieldErrors::one(
        "status",
        Msg::new(
            "通报已印发，内容不再改变",
            "The bulletin is issued; it no longer changes",
        ),
    ))
}

fn frozen(b: &Bulletin) -> Result<()> {
    if b.status == BulletinStatus::Issued {
        Err(already_issued())
    } else {
        Ok(())
    }
}

async fn fetch(tx: &mut Tx, id: i64) -> Result<Bulletin> {
    let sql = format!("select {COLS} from bulletin where id = $1");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}
