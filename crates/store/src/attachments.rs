//! Attachments: the bytes live content-addressed under `DATA_DIR/files/ab/cd/<sha256>`, the record
//! in the `attachment` table. The same content uploaded twice is stored once.

use crate::organizations::exists;
use crate::{Result, Store, StoreError, now, on_db, on_tx};
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

fn table(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Organization => "organization",
        RecordKind::Person => "person",
        RecordKind::Agreement => "agreement",
        RecordKind::Project => "project",
        RecordKind::Milestone => "milestone",
    }
}

impl Store {
    fn blob_path(&self, sha: &str) -> PathBuf {
        self.files_dir.join(&sha[..2]).join(&sha[2..4]).join(sha)
    }

    /// Stores `bytes` (already checked by `attachment::check_upload`) and records it on the record.
    pub async fn add_attachment(
        &self,
        kind: RecordKind,
        record_id: i64,
        filename: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<Attachment> {
        let sha = hex::encode(Sha256::digest(bytes));
        let mut tx = self.begin().await?;
        if !exists(&mut tx, table(kind), record_id).await? {
            return Err(StoreError::invalid(
                "record_id",
                Msg::new(
                    format!("{}（编号 {record_id}）不存在", kind.label().zh),
                    format!("No {} with id {record_id}", kind.as_str()),
                ),
            ));
        }
        let path = self.blob_path(&sha);
        if !path.exists() {
            let dir = path.parent().expect("blob path has a parent");
            tokio::fs::create_dir_all(dir).await?;
            let tmp = dir.join(format!(".{sha}.{}.tmp", std::process::id()));
            tokio::fs::write(&tmp, bytes).await?;
            tokio::fs::rename(&tmp, &path).await?;
        }
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into attachment (record_kind, record_id, filename, content_type, size_bytes, sha256, archived, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, false, $7, $7) returning id")
            .bind(kind.as_str()).bind(record_id).bind(filename).bind(content_type).bind(bytes.len() as i64).bind(&sha).bind(t)
            .fetch_one(c).await)?;
        tx.commit().await?;
        self.get_attachment(id).await
    }

    pub async fn get_attachment(&self, id: i64) -> Result<Attachment> {
        let sql = format!("select {COLS} from attachment where id = $1 and archived = false");
        let row: Option<Row> =
            on_db!(&self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?;
        row.map(Into::into).ok_or(StoreError::NotFound)
    }

    pub async fn list_attachments(&self, kind: RecordKind, record_id: i64) -> Result<Vec<Attachment>> {
        let sql = format!(
            "select {COLS} from attachment where record_kind = $1 and record_id = $2 and archived = false order by id"
        );
        let rows: Vec<Row> = on_db!(&self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(kind.as_str()).bind(record_id).fetch_all(p).await)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The stored bytes of an attachment.
    pub async fn attachment_content(&self, a: &Attachment) -> Result<Vec<u8>> {
        Ok(tokio::fs::read(self.blob_path(&a.sha256)).await?)
    }

    pub async fn archive_attachment(&self, id: i64) -> Result<()> {
        self.get_attachment(id).await?;
        crate::organizations::set_archived(self, "attachment", id, true).await
    }
}
