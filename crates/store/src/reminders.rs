//! What reminders are due for whom, and the record that one person got one day's reminder — claimed
//! before sending so that a second run (or a second server) sends nothing twice.

use crate::notifications::{Note, To, notify_in};
use crate::{Result, Store, now, on_db, on_tx};
use chrono::{DateTime, NaiveDate, Utc};
use hezuo_domain::notification::NotificationKind;
use hezuo_domain::reminder::{DueItem, When, when};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One person's reminders for a day.
#[derive(Debug, Clone)]
pub struct PersonDue {
    pub person_id: i64,
    pub name: String,
    pub email: Option<String>,
    pub items: Vec<DueItem>,
}

/// An in-app notification (the day's reminder as it was sent).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Notification {
    pub id: i64,
    pub day: NaiveDate,
    pub subject: String,
    pub body: String,
    pub emailed: bool,
    pub created_at: DateTime<Utc>,
}

/// The due days a reminder is sent for on `today`: the day before (overdue), today, and each of
/// `days_before` ahead — the days [`when`] answers for.
fn due_days(today: NaiveDate, days_before: &[i64]) -> Vec<NaiveDate> {
    let mut days: Vec<NaiveDate> = [-1, 0]
        .iter()
        .chain(days_before.iter().filter(|n| **n > 0))
        .map(|n| today + chrono::Duration::days(*n))
        .collect();
    days.sort_unstable();
    days.dedup();
    days
}

/// A thing due: its title, its day, what it belongs to, the person responsible.
type Due = (String, NaiveDate, String, i64);

impl Store {
    /// The rows of `sql`, whose `$1…$n` are `days`.
    async fn on_days(&self, sql: String, days: &[NaiveDate]) -> Result<Vec<Due>> {
        Ok(on_db!(&self.db, p => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for d in days {
                q = q.bind(*d);
            }
            q.fetch_all(p).await
        })?)
    }

    /// Everything due around `today` for the responsible persons of projects being carried out:
    /// their milestones, and their reports for periods of approved batches not yet filed; and for
    /// the persons responsible for meetings' decisions still open, those decisions.
    pub async fn reminders_due(&self, today: NaiveDate, days_before: &[i64]) -> Result<Vec<PersonDue>> {
        // Only the days a reminder falls on (yesterday, today and each of `days_before` ahead), not
        // the week between: at a million projects the week's milestones were 4,587 rows and 75 ms.
        let days = due_days(today, days_before);
        let on_days = (1..=days.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        let mut out: BTreeMap<i64, Vec<DueItem>> = BTreeMap::new();
        let sql = format!(
            "select m.title, m.due_on, p.title, p.responsible_person_id from milestone m join project p on p.id = m.project_id \
             where m.done_on is null and m.archived = false and p.archived = false and p.status in ('approved', 'in_progress') \
             and p.responsible_person_id is not null and m.due_on in ({on_days}) order by m.due_on, m.id"
        );
        let milestones: Vec<Due> = self.on_days(sql, &days).await?;
        for (title, due, project, person) in milestones {
            if let Some(w) = when(today, due, days_before) {
                out.entry(person).or_default().push(DueItem {
                    of: "项目",
                    what: format!("节点“{title}”"),
                    project,
                    due,
                    when: w,
                });
            }
        }
        // Reports: each running project in an approved batch owes one per period. Only the periods
        // due around today are asked about, each with one query for the projects that have not
        // filed it — not every running project of the province (126,000 at a million projects).
        let approved: Vec<i64> = on_db!(&self.db, p => sqlx::query_scalar(
            "select id from batch where status = 'approved' order by id").fetch_all(p).await)?;
        for batch in approved {
            let b = self.get_batch(&crate::Viewer::system("提醒"), batch).await?;
            for per in b.periods() {
                let Some(w) = when(today, per.due, days_before) else {
                    continue;
                };
                let label = per.label(b.cadence);
                let owing: Vec<(String, i64)> = on_db!(&self.db, p => sqlx::query_as(
                    "select p.title, p.responsible_person_id from project p where p.batch_id = $1 \
                     and p.archived = false and p.status in ('approved', 'in_progress') \
                     and p.responsible_person_id is not null and (p.start_on is null or p.start_on <= $2) \
                     and not exists (select 1 from progress_report r where r.project_id = p.id \
                       and r.period = $3 and r.organization_id = p.lead_unit_id) order by p.id")
                    .bind(batch).bind(per.end).bind(&label).fetch_all(p).await)?;
                let what = format!("{}进度填报", per.name(b.cadence));
                for (project, person) in owing {
                    out.entry(person).or_default().push(DueItem {
                        of: "项目",
                        what: what.clone(),
                        project,
                        due: per.due,
                        when: w,
                    });
                }
            }
        }
        // Decisions of meetings (议定事项) still open, to the person responsible for each.
        let sql = format!(
            "select d.title, d.due_on, e.title, d.responsible_person_id from decision d join event e on e.id = d.event_id \
             where d.archived = false and d.status in ('open', 'in_progress') and d.responsible_person_id is not null \
             and d.due_on in ({on_days}) order by d.due_on, d.id"
        );
        let decisions: Vec<Due> = self.on_days(sql, &days).await?;
        for (title, due, event, person) in decisions {
            if let Some(w) = when(today, due, days_before) {
                out.entry(person).or_default().push(DueItem {
                    of: "会议",
                    what: format!("议定事项“{title}”"),
                    project: event,
                    due,
                    when: w,
                });
            }
        }
        // A serving secondee's reports, as a unit's: the secondee is reminded.
        for (person, item) in self.secondment_reminders_due(today, days_before).await? {
            out.entry(person).or_default().push(item);
        }
        let ids: Vec<i64> = out.keys().copied().collect();
        let mut who: HashMap<i64, (String, Option<String>)> = HashMap::new();
        for chunk in ids.chunks(500) {
            let mut q = crate::sql::Q::new("select id, name, email from person where id in ");
            q.bind_list(chunk);
            let rows: Vec<(i64, String, Option<String>)> = on_db!(&self.db, p =>
                crate::sql::bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
            who.extend(rows.into_iter().map(|(id, name, email)| (id, (name, email))));
        }
        let mut result = Vec::new();
        for (person, mut items) in out {
            items.sort_by_key(|i| (i.when != When::Overdue, i.due));
            let Some((name, email)) = who.remove(&person) else {
                continue;
            };
            result.push(PersonDue {
                person_id: person,
                name,
                email,
                items,
            });
        }
        Ok(result)
    }

    /// The people today's reminders go to who have no account (no enabled user is theirs), so the
    /// platform cannot remind them: what the office is shown to reach them another way. Office only.
    pub async fn unreachable_reminders(
        &self,
        v: &crate::Viewer,
        today: NaiveDate,
        days_before: &[i64],
    ) -> Result<Vec<PersonDue>> {
        if v.role != hezuo_domain::access::Role::Office {
            return Err(crate::StoreError::Forbidden(hezuo_domain::access::forbidden()));
        }
        let due = self.reminders_due(today, days_before).await?;
        let with_account: Vec<i64> = on_db!(&self.db, p => sqlx::query_scalar(
            "select distinct person_id from user_account where person_id is not null and disabled = false")
            .fetch_all(p).await)?;
        Ok(due
            .into_iter()
            .filter(|p| !with_account.contains(&p.person_id))
            .collect())
    }

    /// Records one person's reminder for `day`, and in the same transaction tells their accounts
    /// (the notification centre); false if they already have one (nothing to send).
    pub async fn claim_reminder(&self, person_id: i64, day: NaiveDate, subject: &str, body: &str) -> Result<bool> {
        let t = now();
        let mut tx = self.begin().await?;
        let id: Option<i64> = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into reminder (person_id, day, subject, body, emailed, created_at, updated_at) \
             values ($1, $2, $3, $4, false, $5, $5) on conflict (person_id, day) do nothing returning id")
            .bind(person_id).bind(day).bind(subject).bind(body).bind(t).fetch_optional(c).await)?;
        if id.is_none() {
            tx.rollback().await?;
            return Ok(false);
        }
        let note = Note::new(NotificationKind::Reminder, subject, body, "/");
        notify_in(&mut tx, &[To::Person(person_id)], None, &note).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Marks the day's reminder as emailed.
    pub async fn reminder_emailed(&self, person_id: i64, day: NaiveDate) -> Result<()> {
        on_db!(&self.db, p => sqlx::query("update reminder set emailed = true, updated_at = $1 where person_id = $2 and day = $3")
            .bind(now()).bind(person_id).bind(day).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// A person's latest notifications.
    pub async fn notifications(&self, person_id: i64, limit: i64) -> Result<Vec<Notification>> {
        Ok(on_db!(&self.db, p => sqlx::query_as(
            "select id, day, subject, body, emailed, created_at from reminder where person_id = $1 order by day desc, id desc limit $2")
            .bind(person_id).bind(limit).fetch_all(p).await)?)
    }
}
