//! Attachments: the bytes live content-addressed under `DATA_DIR/files/ab/cd/<sha256>`, the record
//! in the `attachment` table. The same content uploaded twice is stored once.

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
    fn blob_path(&self, sha: &str) -> PathBuf {
        self.files_dir.join(&sha[..2]).join(&sha[2..4]).join(sha)
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
        let sha = hex::encode(Sha256::digest(bytes));
        crate::access::check(v, RecordKind::Attachment, hezuo_domain::access::Action::Create)?;
        let mut tx = self.begin().await?;
        if !RecordKind::ATTACHABLE.contains(&kind) || !crate::access::visible(&mut tx, v, kind, record_id).await? {
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
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Attachment,
            id,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn get_attachment(&self, v: &Viewer, id: i64) -> Result<Attachment> {
        let mut tx = self.begin().await?;
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
        let mut tx = self.begin().await?;
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
        Ok(tokio::fs::read(self.blob_path(&a.sha256)).await?)
    }

    pub async fn archive_attachment(&self, v: &Viewer, id: i64) -> Result<()> {
        crate::records::set_archived(self, v, RecordKind::Attachment, id, true).await
    }
}

async fn fetch(tx: &mut Tx, id: i64) -> Result<Attachment> {
    let sql = format!("select {COLS} from attachment where id = $1 and archived = false");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}
