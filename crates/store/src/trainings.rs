//! Trainings and practice (培训实践): the record, its participants (the whole list replaced or added
//! to from a sheet in one transaction, or one at a time) and the counts of people trained by county
//! and by kind for a year, which the annual review reads.
//!
//! Scope: the office and leaders read all; anyone else reads the trainings organised or
//! co-organised within their scope, those their scope's units sent people to and — a county's
//! coordinator — those serving their county. A training is kept (`access::authorize`) by whose
//! scope holds its organiser or co-organiser. Participants' phone numbers are shown in full only to
//! those who keep the training.
//!
//! Over 800 lines because the participant writes (import, add, attendance, remove) share the
//! training's row lock, its scope check and the phone masking with the record's own writes; the
//! next split is the participants' part (`training_participants.rs`: `import_participants` to
//! `remove_participant` and the helpers below `mask_phone`), not made on issue 16's merge day.

use crate::access::{Viewer, audit, authorize, check, must_see, restrict, restrict_own, snapshot};
use crate::records::{archived_clause, expect_version, id_filter, lock_exists};
use crate::sql::{Arg, Q, bind_args, contains_pattern, fetch_page};
use crate::{Result, Store, StoreError, Tx, now, on_db, on_tx};
use chrono::{DateTime, NaiveDate, Utc};
use hezuo_domain::access::{Action, Scope};
use hezuo_domain::error::RowError;
use hezuo_domain::training::{
    ImportMode, Participant, ParticipantData, TrainedCount, Training, TrainingData, TrainingFilter, TrainingKind,
    TrainingStatus, check_held, participant_header,
};
use hezuo_domain::{ListParams, Msg, Page, RecordKind, codes, input};
use std::collections::{HashMap, HashSet};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    title: String,
    kind: String,
    audience: Option<String>,
    organizer_id: i64,
    co_organizer_id: Option<i64>,
    start_on: NaiveDate,
    end_on: NaiveDate,
    place: Option<String>,
    hours: Option<f64>,
    county_code: Option<String>,
    planned_headcount: Option<i64>,
    evaluation_score: Option<f64>,
    evaluation_summary: Option<String>,
    status: String,
    summary: Option<String>,
    participant_count: i64,
    attended_count: i64,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// The columns of `training t`, with its participants counted.
const COLS: &str = "t.id, t.title, t.kind, t.audience, t.organizer_id, t.co_organizer_id, t.start_on, t.end_on, \
    t.place, t.hours, t.county_code, t.planned_headcount, t.evaluation_score, t.evaluation_summary, t.status, t.summary, \
    (select count(*) from training_participant cp where cp.training_id = t.id) as participant_count, \
    (select count(*) from training_participant ap where ap.training_id = t.id and ap.attended = true) as attended_count, \
    t.archived, t.created_at, t.updated_at";

impl From<Row> for Training {
    fn from(r: Row) -> Self {
        Training {
            id: r.id,
            title: r.title,
            kind: TrainingKind::parse(&r.kind).unwrap_or_default(),
            audience: r.audience,
            organizer_id: r.organizer_id,
            co_organizer_id: r.co_organizer_id,
            start_on: r.start_on,
            end_on: r.end_on,
            place: r.place,
            hours: r.hours,
            county_code: r.county_code,
            planned_headcount: r.planned_headcount,
            evaluation_score: r.evaluation_score,
            evaluation_summary: r.evaluation_summary,
            status: TrainingStatus::parse(&r.status).unwrap_or_default(),
            summary: r.summary,
            participant_count: r.participant_count,
            attended_count: r.attended_count,
            archived: r.archived,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct PRow {
    id: i64,
    training_id: i64,
    name: String,
    unit: String,
    organization_id: Option<i64>,
    county_code: Option<String>,
    post: Option<String>,
    phone: Option<String>,
    attended: bool,
    hours_attended: Option<f64>,
}

const P_COLS: &str = "id, training_id, name, unit, organization_id, county_code, post, phone, attended, hours_attended";

impl From<PRow> for Participant {
    fn from(r: PRow) -> Self {
        Participant {
            id: r.id,
            training_id: r.training_id,
            name: r.name,
            unit: r.unit,
            organization_id: r.organization_id,
            county_code: r.county_code,
            post: r.post,
            phone: r.phone,
            attended: r.attended,
            hours_attended: r.hours_attended,
        }
    }
}

/// What `trained_counts` groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainedBy {
    /// The county each participant counts for.
    County,
    Kind,
}

impl TrainedBy {
    pub fn parse(s: &str) -> Result<TrainedBy> {
        match s.trim() {
            "" | "county" => Ok(TrainedBy::County),
            "kind" => Ok(TrainedBy::Kind),
            other => Err(StoreError::invalid(
                "by",
                Msg::new(
                    format!("统计口径“{other}”无效，应为 county（按区县）或 kind（按类型）"),
                    format!("“{other}” is not one of county, kind"),
                ),
            )),
        }
    }
}

/// The totals above the list: trainings, people listed, people who attended, class hours.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct TrainingTotals {
    pub trainings: i64,
    pub participants: i64,
    pub attended: i64,
}

/// Appends the filter's conditions to a query over `training t`.
fn filter(q: &mut Q, f: &TrainingFilter) -> Result<()> {
    archived_clause(q, "t", &f.archived);
    if let Some(s) = input::opt_text(&f.q) {
        let p = contains_pattern(s);
        q.push(" and (lower(t.title) like ")
            .bind(Arg::Text(p.clone()))
            .push(" escape '\\' or lower(coalesce(t.audience, '')) like ")
            .bind(Arg::Text(p.clone()))
            .push(" escape '\\' or lower(coalesce(t.place, '')) like ")
            .bind(Arg::Text(p))
            .push(" escape '\\')");
    }
    if let Some(a) = input::opt_text(&f.audience) {
        q.push(" and lower(coalesce(t.audience, '')) like ")
            .bind(Arg::Text(contains_pattern(a)))
            .push(" escape '\\'");
    }
    if let Some(k) = input::opt_text(&f.kind) {
        let k = TrainingKind::parse(k).ok_or_else(|| bad_code("kind", k))?;
        q.push(" and t.kind = ").bind(Arg::Text(k.as_str().into()));
    }
    if let Some(s) = input::opt_text(&f.status) {
        let s = TrainingStatus::parse(s).ok_or_else(|| bad_code("status", s))?;
        q.push(" and t.status = ").bind(Arg::Text(s.as_str().into()));
    }
    if input::opt_text(&f.year).is_some() {
        let y = input::year(&f.year).map_err(|m| StoreError::invalid("year", m))?;
        year_clause(q, y);
    }
    if let Some(c) = input::opt_text(&f.county) {
        q.push(" and t.county_code like ")
            .bind(Arg::Text(crate::records::county_pattern(c)?));
    }
    if let Some(id) = id_filter(&f.organizer_id, "organizer_id")? {
        q.push(" and (t.organizer_id = ")
            .bind(Arg::I64(id))
            .push(" or t.co_organizer_id = ")
            .bind(Arg::I64(id))
            .push(")");
    }
    Ok(())
}

fn bad_code(field: &str, v: &str) -> StoreError {
    StoreError::invalid(
        field,
        Msg::new(format!("“{v}”不是有效的取值"), format!("“{v}” is not a valid {field}")),
    )
}

/// Trainings starting in year `y`.
fn year_clause(q: &mut Q, y: i32) {
    let from = NaiveDate::from_ymd_opt(y, 1, 1).expect("a valid year");
    let to = NaiveDate::from_ymd_opt(y, 12, 31).expect("a valid year");
    q.push(" and t.start_on >= ")
        .bind(Arg::Date(from))
        .push(" and t.start_on <= ")
        .bind(Arg::Date(to));
}

impl Store {
    /// Trainings matching `f` that `v` may see, a page at a time (latest first by default).
    pub async fn list_trainings(&self, v: &Viewer, f: &TrainingFilter, p: &ListParams) -> Result<Page<Training>> {
        let mut q = Q::new("from training t where 1 = 1");
        restrict(&mut q, v, RecordKind::Training, "t");
        filter(&mut q, f)?;
        let (col, desc) = p.sort(&["start_on", "id", "title", "kind", "updated_at"], ("start_on", true))?;
        let order = format!("t.{col} {d}, t.id {d}", d = if desc { "desc" } else { "asc" });
        let (total, rows) = fetch_page!(self, Row, COLS, q, order, p);
        Ok(Page {
            items: rows.into_iter().map(Into::into).collect(),
            ..Page::counted(total, p)
        })
    }

    /// The totals of the trainings matching `f` that `v` may see.
    pub async fn training_totals(&self, v: &Viewer, f: &TrainingFilter) -> Result<TrainingTotals> {
        let mut q = Q::new(
            "select count(*), \
             cast(coalesce(sum((select count(*) from training_participant cp where cp.training_id = t.id)), 0) as bigint), \
             cast(coalesce(sum((select count(*) from training_participant ap where ap.training_id = t.id \
             and ap.attended = true)), 0) as bigint) from training t where 1 = 1",
        );
        restrict(&mut q, v, RecordKind::Training, "t");
        filter(&mut q, f)?;
        let (trainings, participants, attended): (i64, i64, i64) = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_one(p).await)?;
        Ok(TrainingTotals {
            trainings,
            participants,
            attended,
        })
    }

    pub async fn get_training(&self, v: &Viewer, id: i64) -> Result<Training> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Training, id).await?;
        let r = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(r)
    }

    pub async fn create_training(&self, v: &Viewer, d: &TrainingData) -> Result<Training> {
        check(v, RecordKind::Training, Action::Create)?;
        let mut tx = self.begin().await?;
        check_training(&mut tx, v, d, self.today()).await?;
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into training (title, kind, audience, organizer_id, co_organizer_id, start_on, end_on, place, hours, \
             county_code, planned_headcount, evaluation_score, evaluation_summary, status, summary, archived, created_at, \
             updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, false, $16, $16) returning id")
            .bind(&d.title).bind(d.kind.as_str()).bind(&d.audience).bind(d.organizer_id).bind(d.co_organizer_id)
            .bind(d.start_on).bind(d.end_on).bind(&d.place).bind(d.hours).bind(&d.county_code).bind(d.planned_headcount)
            .bind(d.evaluation_score).bind(&d.evaluation_summary).bind(d.status.as_str()).bind(&d.summary).bind(t)
            .fetch_one(c).await)?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Training,
            id,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn update_training(
        &self,
        v: &Viewer,
        id: i64,
        d: &TrainingData,
        expected: Option<i64>,
    ) -> Result<Training> {
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Training, id).await?;
        authorize(&mut tx, v, RecordKind::Training, Some(id), Action::Update).await?;
        expect_version(&mut tx, RecordKind::Training, id, expected).await?;
        lock_exists(&mut tx, "training", id).await?;
        let before = fetch(&mut tx, id).await?;
        check_training(&mut tx, v, d, self.today()).await?;
        // Nobody attended more hours than the training now has.
        if let Some(max) = d.hours {
            let over: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
                "select count(*) from training_participant where training_id = $1 and hours_attended > $2")
                .bind(id).bind(max).fetch_one(c).await)?;
            if over > 0 {
                return Err(StoreError::invalid(
                    "hours",
                    Msg::new(
                        format!(
                            "有 {over} 名学员的学时超过了 {}，请先修改名单",
                            hezuo_domain::training::show_hours(max)
                        ),
                        format!("{over} participants have more hours than that; change the list first"),
                    ),
                ));
            }
        }
        on_tx!(&mut tx, c => sqlx::query(
            "update training set title = $1, kind = $2, audience = $3, organizer_id = $4, co_organizer_id = $5, \
             start_on = $6, end_on = $7, place = $8, hours = $9, county_code = $10, planned_headcount = $11, \
             evaluation_score = $12, evaluation_summary = $13, status = $14, summary = $15, updated_at = $16 where id = $17")
            .bind(&d.title).bind(d.kind.as_str()).bind(&d.audience).bind(d.organizer_id).bind(d.co_organizer_id)
            .bind(d.start_on).bind(d.end_on).bind(&d.place).bind(d.hours).bind(&d.county_code).bind(d.planned_headcount)
            .bind(d.evaluation_score).bind(&d.evaluation_summary).bind(d.status.as_str()).bind(&d.summary).bind(now())
            .bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        // Participants without a registered unit count for the county the training serves.
        if before.county_code != d.county_code {
            on_tx!(&mut tx, c => sqlx::query(
                "update training_participant set county_code = $1 where training_id = $2 and organization_id is null \
                 and (county_code is null or county_code = $3)")
                .bind(&d.county_code).bind(id).bind(&before.county_code).execute(c).await.map(|r| r.rows_affected()))?;
        }
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Training,
            id,
            "update",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn set_training_archived(
        &self,
        v: &Viewer,
        id: i64,
        archived: bool,
        expected: Option<i64>,
    ) -> Result<Training> {
        crate::records::set_archived(self, v, RecordKind::Training, id, archived, expected).await?;
        self.get_training(v, id).await
    }

    /// A training's participants in list order. The phone numbers are masked (139****1234) for
    /// those who do not keep the training.
    pub async fn training_participants(&self, v: &Viewer, id: i64) -> Result<Vec<Participant>> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Training, id).await?;
        let keeps = authorize(&mut tx, v, RecordKind::Training, Some(id), Action::Update)
            .await
            .is_ok();
        let mut list = participants_in(&mut tx, id).await?;
        tx.commit().await?;
        if !keeps {
            for p in &mut list {
                p.phone = p.phone.as_deref().map(mask_phone);
            }
        }
        Ok(list)
    }

    /// Writes a sheet's participants (each with its row number) in one transaction: `Replace`
    /// makes them the list, `Add` appends them. Checked against the records with the training
    /// locked: nobody twice in the sheet, nor (adding) already listed, by name and unit; nobody
    /// with more hours than the training. `Ok(Err(rows))` names every row refused — then nothing
    /// was written. Each unit is matched to a registered organisation by its full or short name,
    /// and the participant counts for that organisation's county, else the training's.
    pub async fn import_participants(
        &self,
        v: &Viewer,
        id: i64,
        rows: &[(usize, ParticipantData)],
        mode: ImportMode,
    ) -> Result<std::result::Result<usize, Vec<RowError>>> {
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Training, id).await?;
        authorize(&mut tx, v, RecordKind::Training, Some(id), Action::Update).await?;
        lock_exists(&mut tx, "training", id).await?;
        let training = fetch(&mut tx, id).await?;
        let existing: Vec<(String, String)> = if mode == ImportMode::Add {
            on_tx!(&mut tx, c => sqlx::query_as("select name, unit from training_participant where training_id = $1")
                .bind(id).fetch_all(c).await)?
        } else {
            vec![]
        };
        let errors = check_rows(rows, &existing, training.hours);
        if !errors.is_empty() {
            tx.rollback().await?;
            return Ok(Err(errors));
        }
        let before = list_summary(&mut tx, id).await?;
        let start = if mode == ImportMode::Replace {
            on_tx!(&mut tx, c => sqlx::query("delete from training_participant where training_id = $1")
                .bind(id).execute(c).await.map(|r| r.rows_affected()))?;
            0
        } else {
            on_tx!(&mut tx, c => sqlx::query_scalar::<_, i64>(
                "select coalesce(max(position), 0) from training_participant where training_id = $1")
                .bind(id).fetch_one(c).await)?
        };
        let units = unit_lookup(&mut tx).await?;
        let data: Vec<&ParticipantData> = rows.iter().map(|(_, d)| d).collect();
        insert_participants(&mut tx, &training, &units, start, &data).await?;
        touch(&mut tx, id).await?;
        let after = list_summary(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Training,
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(rows.len()))
    }

    /// Adds one participant (the API's single add): refused when someone of that name and unit is
    /// listed already.
    pub async fn add_participant(&self, v: &Viewer, id: i64, d: &ParticipantData) -> Result<Participant> {
        match self
            .import_participants(v, id, &[(0, d.clone())], ImportMode::Add)
            .await?
        {
            Ok(_) => {}
            Err(rows) => {
                let m = rows.first().map(|r| Msg::new(r.message.clone(), r.message_en.clone()));
                return Err(StoreError::conflict(
                    "name",
                    m.unwrap_or_else(|| Msg::new("该学员已在名单中", "Already listed")),
                ));
            }
        }
        let list = self.training_participants(v, id).await?;
        list.into_iter()
            .rev()
            .find(|p| p.name == d.name && p.unit == d.unit)
            .ok_or(StoreError::NotFound)
    }

    /// Marks a participant's attendance and hours.
    pub async fn set_attendance(
        &self,
        v: &Viewer,
        id: i64,
        participant_id: i64,
        attended: bool,
        hours: Option<f64>,
    ) -> Result<Participant> {
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Training, id).await?;
        authorize(&mut tx, v, RecordKind::Training, Some(id), Action::Update).await?;
        lock_exists(&mut tx, "training", id).await?;
        let training = fetch(&mut tx, id).await?;
        if let Some(h) = hours {
            if !attended && h > 0.0 {
                return Err(StoreError::invalid(
                    "hours_attended",
                    Msg::new(
                        "未到课的学员学时应为 0 或留空",
                        "Someone who did not attend has 0 hours (or none)",
                    ),
                ));
            }
            if let Some(max) = training.hours
                && h > max
            {
                return Err(StoreError::invalid(
                    "hours_attended",
                    Msg::new(
                        format!("学时超过了培训总学时 {}", hezuo_domain::training::show_hours(max)),
                        "More hours than the training has",
                    ),
                ));
            }
        }
        let before = list_summary(&mut tx, id).await?;
        let n = on_tx!(&mut tx, c => sqlx::query(
            "update training_participant set attended = $1, hours_attended = $2 where id = $3 and training_id = $4")
            .bind(attended).bind(hours).bind(participant_id).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        touch(&mut tx, id).await?;
        let after = list_summary(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Training,
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        let sql = format!("select {P_COLS} from training_participant where id = $1");
        let row: PRow =
            on_tx!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(participant_id).fetch_one(c).await)?;
        tx.commit().await?;
        Ok(row.into())
    }

    /// Takes a participant off the list; NotFound if they are not on it.
    pub async fn remove_participant(&self, v: &Viewer, id: i64, participant_id: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        must_see(&mut tx, v, RecordKind::Training, id).await?;
        authorize(&mut tx, v, RecordKind::Training, Some(id), Action::Update).await?;
        lock_exists(&mut tx, "training", id).await?;
        let before = list_summary(&mut tx, id).await?;
        let n = on_tx!(&mut tx, c => sqlx::query("delete from training_participant where id = $1 and training_id = $2")
            .bind(participant_id).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        touch(&mut tx, id).await?;
        let after = list_summary(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Training,
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await
    }

    /// People trained in `year` (trainings starting that year, not archived nor cancelled, that
    /// `v` may see): by county (each participant's county; those without one under the key "")
    /// or by kind — how many trainings and how many people attended, most first.
    pub async fn trained_counts(&self, v: &Viewer, year: i32, by: TrainedBy) -> Result<Vec<TrainedCount>> {
        let key = match by {
            TrainedBy::County => "coalesce(p.county_code, '')",
            TrainedBy::Kind => "t.kind",
        };
        let mut q = Q::new(&format!(
            "select {key} as k, count(distinct t.id) as n, count(*) as m from training_participant p \
             join training t on t.id = p.training_id \
             where p.attended = true and t.archived = false and t.status <> 'cancelled'"
        ));
        year_clause(&mut q, year);
        restrict(&mut q, v, RecordKind::Training, "t");
        q.push(&format!(" group by {key}"));
        let rows: Vec<(String, i64, i64)> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        let mut out: Vec<TrainedCount> = rows
            .into_iter()
            .map(|(key, trainings, trained)| {
                let label = match by {
                    TrainedBy::Kind => TrainingKind::parse(&key)
                        .map(|k| k.label().zh)
                        .unwrap_or_else(|| key.clone()),
                    TrainedBy::County if key.is_empty() => "未注明区县".to_string(),
                    TrainedBy::County => codes::division_name(&key).unwrap_or_else(|| key.clone()),
                };
                TrainedCount {
                    key,
                    label,
                    trainings,
                    trained,
                }
            })
            .collect();
        out.sort_by(|a, b| b.trained.cmp(&a.trained).then_with(|| a.key.cmp(&b.key)));
        Ok(out)
    }

    /// Organisations that may organise a training `v` keeps: (id, name).
    pub async fn training_organizer_options(&self, v: &Viewer) -> Result<Vec<(i64, String)>> {
        let mut q = Q::new("select r.id, r.name from organization r where r.archived = false");
        restrict_own(&mut q, v, RecordKind::Organization, "r");
        q.push(" order by r.id limit 3000");
        Ok(
            on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?,
        )
    }
}

/// 13905701234 → 139****1234; shorter numbers keep their last four digits only.
fn mask_phone(p: &str) -> String {
    let chars: Vec<char> = p.chars().collect();
    if chars.len() >= 11 {
        format!(
            "{}****{}",
            chars[..3].iter().collect::<String>(),
            chars[chars.len() - 4..].iter().collect::<String>()
        )
    } else if chars.len() > 4 {
        format!("****{}", chars[chars.len() - 4..].iter().collect::<String>())
    } else {
        "****".into()
    }
}

/// Rows refused against each other and the list: the same name and unit twice, or already listed.
fn check_rows(rows: &[(usize, ParticipantData)], existing: &[(String, String)], hours: Option<f64>) -> Vec<RowError> {
    let listed: HashSet<(&str, &str)> = existing.iter().map(|(n, u)| (n.as_str(), u.as_str())).collect();
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    let mut errors = Vec::new();
    for (row, d) in rows {
        let k = (d.name.as_str(), d.unit.as_str());
        if listed.contains(&k) {
            errors.push(RowError::new(
                *row,
                participant_header("name"),
                &Msg::new(
                    format!("{}（{}）已在名单中", d.name, d.unit),
                    format!("{} ({}) is listed already", d.name, d.unit),
                ),
            ));
        } else if let Some(first) = seen.get(&k) {
            errors.push(RowError::new(
                *row,
                participant_header("name"),
                &Msg::new(
                    format!("与第{first}行重复：{}（{}）", d.name, d.unit),
                    format!("The same person as row {first}: {} ({})", d.name, d.unit),
                ),
            ));
        } else {
            seen.insert(k, *row);
        }
        if let (Some(h), Some(max)) = (d.hours_attended, hours)
            && h > max
        {
            errors.push(RowError::new(
                *row,
                participant_header("hours_attended"),
                &Msg::new(
                    format!("学时超过了培训总学时 {}", hezuo_domain::training::show_hours(max)),
                    "More hours than the training has",
                ),
            ));
        }
    }
    errors
}

/// Registered organisations by full and short name (id, region code), and the governments by name
/// (a unit written "柯城区航埠镇人民政府" counts for 柯城区 when no organisation has that name).
struct Units {
    exact: HashMap<String, (i64, Option<String>)>,
    /// (name, region code), longest name first.
    governments: Vec<(String, String)>,
}

impl Units {
    /// The organisation a unit names, and the county it counts for (else `fallback`).
    fn resolve(&self, unit: &str, fallback: &Option<String>) -> (Option<i64>, Option<String>) {
        let unit = unit.trim();
        if let Some((id, region)) = self.exact.get(unit) {
            return (Some(*id), region.clone().or_else(|| fallback.clone()));
        }
        let county = self
            .governments
            .iter()
            .find(|(name, _)| unit.starts_with(name.as_str()))
            .map(|(_, code)| code.clone());
        (None, county.or_else(|| fallback.clone()))
    }
}

/// id, name, short name, region code, kind.
type OrgRow = (i64, String, Option<String>, Option<String>, String);

async fn unit_lookup(tx: &mut Tx) -> Result<Units> {
    let rows: Vec<OrgRow> = on_tx!(tx, c => sqlx::query_as(
        "select id, name, short_name, region_code, kind from organization where archived = false order by id")
        .fetch_all(c).await)?;
    let mut exact = HashMap::new();
    let mut governments = Vec::new();
    for (id, name, short, region, kind) in rows {
        if kind == "government"
            && let Some(r) = &region
        {
            governments.push((name.clone(), r.clone()));
        }
        if let Some(s) = short {
            exact.entry(s).or_insert((id, region.clone()));
        }
        exact.insert(name, (id, region));
    }
    governments.sort_by(|a, b| {
        b.0.chars()
            .count()
            .cmp(&a.0.chars().count())
            .then_with(|| a.0.cmp(&b.0))
    });
    Ok(Units { exact, governments })
}

/// Inserts participants after position `start`, several rows a statement.
async fn insert_participants(
    tx: &mut Tx,
    t: &Training,
    units: &Units,
    start: i64,
    rows: &[&ParticipantData],
) -> Result<()> {
    const COLS_PER_ROW: usize = 10;
    for (chunk_no, chunk) in rows.chunks(400).enumerate() {
        let mut sql = String::from(
            "insert into training_participant (training_id, position, name, unit, organization_id, county_code, post, \
             phone, attended, hours_attended) values ",
        );
        for i in 0..chunk.len() {
            let b = i * COLS_PER_ROW;
            let ph: Vec<String> = (1..=COLS_PER_ROW).map(|k| format!("${}", b + k)).collect();
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            sql.push_str(&ph.join(", "));
            sql.push(')');
        }
        let base = start + (chunk_no * 400) as i64;
        on_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (i, d) in chunk.iter().enumerate() {
                let (org, county) = units.resolve(&d.unit, &t.county_code);
                q = q
                    .bind(t.id)
                    .bind(base + i as i64 + 1)
                    .bind(d.name.clone())
                    .bind(d.unit.clone())
                    .bind(org)
                    .bind(county)
                    .bind(d.post.clone())
                    .bind(d.phone.clone())
                    .bind(d.attended)
                    .bind(d.hours_attended);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// What the audit log keeps of a list change: its size and attendance, not every name.
async fn list_summary(tx: &mut Tx, id: i64) -> Result<serde_json::Value> {
    let (n, a): (i64, i64) = on_tx!(tx, c => sqlx::query_as(
        "select count(*), cast(coalesce(sum(case when attended = true then 1 else 0 end), 0) as bigint) \
         from training_participant where training_id = $1")
        .bind(id).fetch_one(c).await)?;
    Ok(serde_json::json!({ "participants": n, "attended": a }))
}

async fn check_training(tx: &mut Tx, v: &Viewer, d: &TrainingData, today: NaiveDate) -> Result<()> {
    if let Err(m) = check_held(d, today) {
        return Err(StoreError::invalid("status", m));
    }
    for (field, org) in [
        ("organizer_id", Some(d.organizer_id)),
        ("co_organizer_id", d.co_organizer_id),
    ] {
        let Some(o) = org else { continue };
        if !crate::records::exists(tx, "organization", o).await? {
            return Err(crate::access::unknown(field, ("单位", "organisation"), o));
        }
    }
    // A training is kept by whose scope holds its organiser or co-organiser.
    if v.scope != Scope::All {
        let mut mine = crate::access::in_own_scope(tx, v, RecordKind::Organization, d.organizer_id).await?;
        if let Some(co) = d.co_organizer_id {
            mine |= crate::access::in_own_scope(tx, v, RecordKind::Organization, co).await?;
        }
        if !mine {
            return Err(StoreError::invalid(
                "organizer_id",
                Msg::new(
                    "主办或协办单位须在您负责的范围内",
                    "The organiser or the co-organiser must be within your scope",
                ),
            ));
        }
    }
    Ok(())
}

async fn touch(tx: &mut Tx, id: i64) -> Result<()> {
    on_tx!(tx, c => sqlx::query("update training set updated_at = $1 where id = $2").bind(now()).bind(id)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

async fn participants_in(tx: &mut Tx, id: i64) -> Result<Vec<Participant>> {
    let sql = format!("select {P_COLS} from training_participant where training_id = $1 order by position, id");
    let rows: Vec<PRow> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(c).await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

async fn fetch(tx: &mut Tx, id: i64) -> Result<Training> {
    let sql = format!("select {COLS} from training t where t.id = $1");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_number_is_masked_but_for_its_ends() {
        assert_eq!(mask_phone("13905701234"), "139****1234");
        assert_eq!(mask_phone("3026688"), "****6688");
        assert_eq!(mask_phone("110"), "****");
    }

    #[test]
    fn the_same_person_twice_or_already_listed_is_named_by_row() {
        let p = |n: &str| ParticipantData {
            name: n.into(),
            unit: "柯城区航埠镇".into(),
            ..Default::default()
        };
        let rows = vec![(2, p("张伟")), (3, p("李娜")), (4, p("张伟"))];
        let e = check_rows(&rows, &[("李娜".into(), "柯城区航埠镇".into())], None);
        let got: Vec<(usize, &str)> = e.iter().map(|e| (e.row, e.message.as_str())).collect();
        assert_eq!(
            got,
            [
                (3, "李娜（柯城区航埠镇）已在名单中"),
                (4, "与第2行重复：张伟（柯城区航埠镇）")
            ]
        );
    }
}
