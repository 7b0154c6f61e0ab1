//! Attachments: the record in the `attachment` table, the bytes in `attachment_blob` by their
//! SHA-256, written in the same transaction — a refused upload leaves nothing behind, and every
//! server on one database reads every file. The same content uploaded twice is stored once.
//! Files of stores from before (under `DATA_DIR/files/ab/cd/<sha256>`) are moved in by `migrate`.

use crate::access::{Viewer, audit, must_see, restrict, snapshot};
use crate::sql::{Arg, Q, bind_args};
use crate::{Result, Store, StoreError, Tx, now, on_db, on_tx};
use chrono::{DateTime, Utc};
use hezuo_domain::attachment::Attachment;
use hezuo_domain::{Msg, RecordKind};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    record_kind: String,
    record_id: i64,
    filename: String,
    content_type: String,
    size_bytes: i64,
    sha256: String,
    created_at: DateTime<Utc>,
}

const COLS: &str = "id, record_kind, record_id, filename, content_type, size_bytes, sha256, created_at";

impl From<Row> for Attachment {
    fn from(r: Row) -> Self {
        Attachment {
            id: r.id,
            record_kind: RecordKind::parse(&r.record_kind).unwrap_or(RecordKind::Project),
            record_id: r.record_id,
            filename: r.filename,
            content_type: r.content_type,
            size_bytes: r.size_bytes,
            sha256: r.sha256,
            created_at: r.created_at,
        }
    }
}

impl Store {
    /// Where a store from before attachment_blob kept a file.
    fn old_blob_path(&self, sha: &str) -> PathBuf {
        self.files_dir.join(&sha[..2]).join(&sha[2..4]).join(sha)
    }

    /// Moves the files of a store from before into the database (those it does not hold yet);
    /// returns how many. Run by `migrate`; a file that is missing stays missing, as it was.
    pub(crate) async fn move_files_in(&self) -> Result<usize> {
        let missing: Vec<String> = on_db!(&self.db, p => sqlx::query_scalar(
            "select distinct sha256 from attachment a where not exists \
             (select 1 from attachment_blob b where b.sha256 = a.sha256)").fetch_all(p).await)?;
        let mut moved = 0;
        for sha in missing {
            let Ok(bytes) = tokio::fs::read(self.old_blob_path(&sha)).await else {
                tracing::warn!(%sha, "an attachment's file is missing from the data folder");
                continue;
            };
            let mut tx = self.begin().await?;
            put_blob(&mut tx, &sha, &bytes).await?;
            tx.commit().await?;
            moved += 1;
        }
        Ok(moved)
    }

    /// Stores `bytes` (already checked by `attachment::check_upload`) and records it on the record.
    pub async fn add_attachment(
        &self,
        v: &Viewer,
        kind: RecordKind,
        record_id: i64,
        filename: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<Attachment> {
        crate::access::check(v, RecordKind::Attachment, hezuo_domain::access::Action::Create)?;
        let mut tx = self.begin().await?;
        // Files go on records of the user's own scope, not on a contact's read through a match.
        if !RecordKind::ATTACHABLE.contains(&kind) || !crate::access::in_own_scope(&mut tx, v, kind, record_id).await? {
            return Err(StoreError::invalid(
                "record_id",
                Msg::new(
                    format!("{}（编号 {record_id}）不存在", kind.label().zh),
                    format!("No {} with id {record_id}", kind.as_str()),
                ),
            ));
        }
        // A message's files are posted with it (`post_message`), never added afterwards.
        if kind == RecordKind::Message {
            return Err(StoreError::invalid(
                "record_kind",
                Msg::new(
                    "消息的附件请随消息一起发送",
                    "A message's files are sent with the message",
                ),
            ));
        }
        // A platform (read by all) takes files from whoever may change it; an evaluation from the office.
        if matches!(kind, RecordKind::Platform | RecordKind::PlatformEvaluation) {
            crate::access::authorize(&mut tx, v, kind, Some(record_id), hezuo_domain::access::Action::Update).await?;
        }
        let after = insert(&mut tx, v, kind, record_id, filename, content_type, bytes).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn get_attachment(&self, v: &Viewer, id: i64) -> Result<Attachment> {
        let mut tx = self.read().await?;
        must_see(&mut tx, v, RecordKind::Attachment, id).await?;
        let a = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(a)
    }

    /// The attachments of a record; NotFound if `v` cannot see the record.
    pub async fn list_attachments(&self, v: &Viewer, kind: RecordKind, record_id: i64) -> Result<Vec<Attachment>> {
        if !RecordKind::ATTACHABLE.contains(&kind) {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.read().await?;
        must_see(&mut tx, v, kind, record_id).await?;
        tx.commit().await?;
        let mut q = Q::new(&format!(
            "select {COLS} from attachment where archived = false and record_kind = "
        ));
        q.bind(Arg::Text(kind.as_str().into()))
            .push(" and record_id = ")
            .bind(Arg::I64(record_id));
        restrict(&mut q, v, RecordKind::Attachment, "attachment");
        q.push(" order by id");
        let rows: Vec<Row> = on_db!(&self.db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone())), q.args).fetch_all(p).await)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The stored bytes of an attachment.
    pub async fn attachment_content(&self, a: &Attachment) -> Result<Vec<u8>> {
        let bytes: Option<Vec<u8>> = on_db!(&self.db, p => sqlx::query_scalar(
            "select content from attachment_blob where sha256 = $1").bind(&a.sha256).fetch_optional(p).await)?;
        bytes.ok_or(StoreError::NotFound)
    }

    pub async fn archive_attachment(&self, v: &Viewer, id: i64) -> Result<()> {
        crate::records::set_archived(self, v, RecordKind::Attachment, id, true, None).await
    }
}

/// Records a file (already checked by `attachment::check_upload`) on `kind`/`record_id`, which the
/// caller has checked `v` may see, in the caller's transaction: the bytes, the row and its audit entry.
pub(crate) async fn insert(
    tx: &mut Tx,
    v: &Viewer,
    kind: RecordKind,
    record_id: i64,
    filename: &str,
    content_type: &str,
    bytes: &[u8],
) -> Result<Attachment> {
    let sha = hex::encode(Sha256::digest(bytes));
    put_blob(tx, &sha, bytes).await?;
    let t = now();
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into attachment (record_kind, record_id, filename, content_type, size_bytes, sha256, archived, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, false, $7, $7) returning id")
        .bind(kind.as_str()).bind(record_id).bind(filename).bind(content_type).bind(bytes.len() as i64).bind(&sha).bind(t)
        .fetch_one(c).await)?;
    let after = fetch(tx, id).await?;
    audit(
        tx,
        v,
        RecordKind::Attachment,
        id,
        "create",
        None,
        Some(&snapshot(&after)),
    )
    .await?;
    Ok(after)
}

/// Keeps `bytes` under their SHA-256 (once, whoever uploads them again), in the caller's transaction.
async fn put_blob(tx: &mut Tx, sha: &str, bytes: &[u8]) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "insert into attachment_blob (sha256, content, size_bytes, created_at) values ($1, $2, $3, $4) \
         on conflict (sha256) do nothing")
        .bind(sha).bind(bytes).bind(bytes.len() as i64).bind(now())
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub(crate) async fn fetch(tx: &mut Tx, id: i64) -> Result<Attachment> {
    let sql = format!("select {COLS} from attachment where id = $1 and archived = false");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}
