//! Backup and restore, on whichever backend the test store runs on (PostgreSQL when
//! `TEST_DATABASE_URL` is set): the demo goes through a backup into an empty store and comes back
//! table for table, file for file; a store that holds records, a file from another schema version
//! or a file cut short is refused without a trace; a backup taken while others write is one
//! snapshot; and a SQLite backup restores into PostgreSQL and back.

mod common;

use common::TestStore;
use hezuo_domain::RecordKind;
use hezuo_domain::organization::{OrgKind, OrganizationData};
use hezuo_store::backup::{BackupError, Summary};
use hezuo_store::{Backend, Store, Viewer, demo};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

fn sys() -> Viewer {
    Viewer::system("test")
}

/// Bytes of every value from 0 to 255, so that nothing is lost to text encodings.
fn file_bytes(seed: u8) -> Vec<u8> {
    let mut b = b"%PDF-1.7\n".to_vec();
    b.extend((0..=255u8).map(|i| i.wrapping_mul(31).wrapping_add(seed)));
    b.extend(std::iter::repeat_n(seed, 3000));
    b
}

fn organization(name: &str) -> OrganizationData {
    OrganizationData {
        parent_id: None,
        kind: OrgKind::Enterprise,
        name: name.into(),
        short_name: None,
        region_code: None,
        credit_code: None,
        industry_code: None,
        address: None,
        phone: None,
        description: None,
    }
}

/// The demo, its users, and one attachment on an organisation; returns (organisation id, attachment id, bytes).
async fn demo_with_attachment(store: &Store) -> (i64, i64, Vec<u8>) {
    demo::load(store, common::TODAY.parse().unwrap())
        .await
        .expect("demo loads");
    demo::create_demo_users(store, "pw-for-tests")
        .await
        .expect("demo users");
    // A parent with a higher id than its child, which a restore cannot insert in id order alone.
    let child = store
        .create_organization(&sys(), &organization("先建的下级企业"))
        .await
        .unwrap();
    let org = store
        .create_organization(&sys(), &organization("备份测试企业"))
        .await
        .expect("an organisation");
    let sql = "update organization set parent_id = $1 where id = $2";
    hezuo_store::on_db!(store.db(), p => sqlx::query(sql).bind(org.id).bind(child.id).execute(p).await.map(|_| ()))
        .unwrap();
    let bytes = file_bytes(7);
    let a = store
        .add_attachment(
            &sys(),
            RecordKind::Organization,
            org.id,
            "计划书.pdf",
            "application/pdf",
            &bytes,
        )
        .await
        .expect("an attachment");
    (org.id, a.id, bytes)
}

async fn backup(store: &Store) -> (Summary, Vec<u8>) {
    let mut out = Vec::new();
    let s = store.backup(&mut out).await.expect("backup");
    (s, out)
}

/// Every line but the header (which holds the moment of the backup).
fn body(file: &[u8]) -> Vec<String> {
    let text = std::str::from_utf8(file).expect("UTF-8");
    text.lines().skip(1).map(String::from).collect()
}

/// A backup read back: table → (columns, rows).
type Tables = BTreeMap<String, (Vec<String>, Vec<Vec<Value>>)>;

fn parse(file: &[u8]) -> Tables {
    let mut out = Tables::new();
    let mut current = None;
    for line in std::str::from_utf8(file).unwrap().lines().skip(1) {
        let v: Value = serde_json::from_str(line).expect("each line is JSON");
        match v {
            Value::Array(row) => {
                let table = current.as_ref().expect("a table line before rows");
                out.get_mut(table).expect("the table").1.push(row);
            }
            Value::Object(o) if o.contains_key("table") => {
                let name = o["table"].as_str().unwrap().to_string();
                let cols = o["columns"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_str().unwrap().to_string())
                    .collect();
                out.insert(name.clone(), (cols, Vec::new()));
                current = Some(name);
            }
            Value::Object(o) if o.contains_key("end") => {}
            other => panic!("unexpected line {other}"),
        }
    }
    out
}

/// The values of one column of a parsed table.
fn column<'a>(t: &'a Tables, table: &str, col: &str) -> Vec<&'a Value> {
    let (cols, rows) = &t[table];
    let i = cols
        .iter()
        .position(|c| c == col)
        .unwrap_or_else(|| panic!("{table}.{col}"));
    rows.iter().map(|r| &r[i]).collect()
}

/// `count(*)` of a table, asked of the database itself (not through the backup's reader).
async fn count(store: &Store, table: &str) -> i64 {
    let sql = format!("select count(*) from \"{table}\"");
    hezuo_store::on_db!(store.db(), p => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(p).await).unwrap()
}

async fn max_id(store: &Store, table: &str) -> i64 {
    let sql = format!("select coalesce(max(id), 0) from \"{table}\"");
    hezuo_store::on_db!(store.db(), p => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(p).await).unwrap()
}

async fn total_rows(store: &Store, tables: &[(String, u64)]) -> i64 {
    let mut n = 0;
    for (t, _) in tables {
        n += count(store, t).await;
    }
    n
}

/// A SQLite store in its own folder, whatever `TEST_DATABASE_URL` says.
struct SqliteStore {
    store: Store,
    dir: PathBuf,
}

impl SqliteStore {
    async fn new(tag: &str) -> SqliteStore {
        let dir = std::env::temp_dir().join(format!("hezuo-backup-test-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::open_and_migrate(None, &dir).await.expect("a SQLite store");
        SqliteStore { store, dir }
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn the_demo_comes_back_from_a_backup_table_for_table_with_its_files_and_takes_new_records() {
    let a = TestStore::new().await;
    let (org_id, att_id, bytes) = demo_with_attachment(&a).await;
    let (sum_a, file) = backup(&a).await;
    assert_eq!(sum_a.header.format, "hezuo-backup");
    assert_eq!(sum_a.header.schema, a.schema_version().await.unwrap());
    assert!(sum_a.header.schema >= 8, "attachment_blob came with migration 8");
    let tables: BTreeMap<&str, u64> = sum_a.tables.iter().map(|(t, n)| (t.as_str(), *n)).collect();
    for t in [
        "organization",
        "person",
        "agreement",
        "project",
        "milestone",
        "audit_entry",
        "user_account",
        "demand",
    ] {
        assert!(tables[t] > 0, "{t} is in the backup with its rows");
    }
    // This test's file and the demo's own (a secondment's appraisal form), each with its bytes.
    assert_eq!(tables["attachment"], count(&a, "attachment").await as u64);
    assert_eq!(tables["attachment_blob"], count(&a, "attachment_blob").await as u64);
    assert!(tables["attachment"] >= 2);
    assert!(!tables.contains_key("_sqlx_migrations"));
    // Parents first: an organisation's people and projects come after it.
    let pos = |t: &str| sum_a.tables.iter().position(|(n, _)| n == t).unwrap();
    assert!(pos("organization") < pos("person") && pos("person") < pos("project"));
    // Every table's count as the database gives it.
    for (t, n) in &sum_a.tables {
        assert_eq!(count(&a, t).await, *n as i64, "rows of {t}");
    }

    let b = TestStore::new().await;
    let restored = b.restore(&file[..]).await.expect("restore into an empty store");
    assert_eq!(restored.tables, sum_a.tables);
    assert_eq!(restored.header, sum_a.header);
    for (t, n) in &sum_a.tables {
        assert_eq!(count(&b, t).await, *n as i64, "rows of {t} after the restore");
    }
    // Every row of every table, value for value: B's backup is A's.
    let (_, file_b) = backup(&b).await;
    let (body_a, body_b) = (body(&file), body(&file_b));
    assert_eq!(body_a.len(), body_b.len());
    for (x, y) in body_a.iter().zip(&body_b) {
        assert_eq!(x, y);
    }
    // The file itself, read through the store.
    let att = b.get_attachment(&sys(), att_id).await.expect("the attachment is back");
    assert_eq!(att.record_id, org_id);
    assert_eq!(b.attachment_content(&att).await.unwrap(), bytes);
    // The same records through the store's own reads.
    let orgs = |s: &Store| {
        let s = s.clone();
        async move {
            s.list_organizations(&sys(), &Default::default(), &Default::default())
                .await
                .unwrap()
                .total
        }
    };
    assert_eq!(orgs(&a).await, orgs(&b).await);
    assert!(b.user_by_name("office").await.unwrap().is_some());

    // New records take ids after the restored ones (on PostgreSQL, the sequences were moved on).
    let before = (max_id(&b, "organization").await, max_id(&b, "audit_entry").await);
    let o = b
        .create_organization(&sys(), &organization("恢复后新建的企业"))
        .await
        .expect("a new organisation after the restore");
    assert!(o.id > before.0, "new id {} after the restored {}", o.id, before.0);
    assert!(max_id(&b, "audit_entry").await > before.1);
    let a2 = b
        .add_attachment(
            &sys(),
            RecordKind::Organization,
            o.id,
            "b.pdf",
            "application/pdf",
            &file_bytes(9),
        )
        .await
        .expect("a new attachment after the restore");
    assert!(a2.id > att_id);
}

#[tokio::test]
async fn rows_that_refer_to_later_rows_of_their_own_table_restore_however_many_there_are() {
    let a = TestStore::new().await;
    // More organisations than one insert statement takes, the first under the last and one near
    // the end under one near the start.
    let sql = "with recursive n(i) as (select 1 union all select i + 1 from n where i < 1200) \
               insert into organization (kind, name, archived, created_at, updated_at) \
               select 'enterprise', 'org ' || i, false, $1, $1 from n";
    let t = chrono::Utc::now();
    hezuo_store::on_db!(a.db(), p => sqlx::query(sql).bind(t).execute(p).await.map(|_| ())).unwrap();
    for (child, parent) in [(1, 1200), (1100, 3), (700, 1)] {
        let sql = "update organization set parent_id = $1 where id = $2";
        hezuo_store::on_db!(a.db(), p => sqlx::query(sql).bind(parent as i64).bind(child as i64).execute(p).await.map(|_| ())).unwrap();
    }
    let (sum, file) = backup(&a).await;
    let b = TestStore::new().await;
    let restored = b.restore(&file[..]).await.expect("the tree restores");
    assert_eq!(restored.tables, sum.tables);
    assert_eq!(body(&file), body(&backup(&b).await.1));
    let parent: Option<i64> = hezuo_store::on_db!(b.db(), p => sqlx::query_scalar("select parent_id from organization where id = 1").fetch_one(p).await).unwrap();
    assert_eq!(parent, Some(1200));
}

#[tokio::test]
async fn a_store_that_holds_records_refuses_a_restore_and_keeps_what_it_has() {
    let a = TestStore::new().await;
    demo_with_attachment(&a).await;
    let (_, file) = backup(&a).await;

    let b = TestStore::new().await;
    b.create_organization(&sys(), &organization("已有的企业"))
        .await
        .unwrap();
    let (_, before) = backup(&b).await;
    let err = b.restore(&file[..]).await.expect_err("a store with records refuses");
    assert!(
        matches!(&err, BackupError::NotEmpty { table } if !table.is_empty()),
        "{err}"
    );
    assert!(err.to_string().contains("not empty"), "{err}");
    let (_, after) = backup(&b).await;
    assert_eq!(body(&before), body(&after));
}

#[tokio::test]
async fn a_backup_of_another_schema_version_or_cut_short_is_refused_and_leaves_the_store_empty() {
    let a = TestStore::new().await;
    demo_with_attachment(&a).await;
    let (sum, file) = backup(&a).await;
    let text = String::from_utf8(file.clone()).unwrap();
    let b = TestStore::new().await;

    // Another schema version: refused, naming both.
    let (header, rest) = text.split_once('\n').unwrap();
    let old = header.replace(&format!("\"schema\":{}", sum.header.schema), "\"schema\":3");
    assert_ne!(old, header);
    let err = b.restore(format!("{old}\n{rest}").as_bytes()).await.unwrap_err();
    assert!(
        matches!(err, BackupError::SchemaMismatch { backup: 3, target } if target == sum.header.schema),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains(&format!("schema version is 3 and the target's {}", sum.header.schema))
    );

    // Cut short after most tables: the rows already inserted go with the transaction.
    let lines: Vec<&str> = text.lines().collect();
    let cut = lines[..lines.len() * 9 / 10].join("\n");
    let err = b.restore(cut.as_bytes()).await.unwrap_err();
    assert!(matches!(err, BackupError::Format { .. }), "{err}");
    assert!(err.to_string().contains("cut short"), "{err}");
    assert_eq!(
        total_rows(&b, &sum.tables).await,
        0,
        "nothing of a failed restore stays"
    );

    // A damaged row midway: refused the same way, naming the line.
    let mut damaged: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let i = damaged.len() / 2;
    damaged[i] = "[1, 2".into();
    let err = b.restore(damaged.join("\n").as_bytes()).await.unwrap_err();
    assert!(err.to_string().contains(&format!("line {}", i + 1)), "{err}");
    assert_eq!(total_rows(&b, &sum.tables).await, 0);

    // And the whole file still restores.
    b.restore(&file[..]).await.expect("the intact file restores");
    assert_eq!(total_rows(&b, &sum.tables).await as u64, sum.rows());
}

#[tokio::test]
async fn a_backup_taken_while_another_task_writes_is_one_snapshot() {
    let a = TestStore::new().await;
    demo_with_attachment(&a).await;
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (store, stop, written) = (a.store.clone(), stop.clone(), written.clone());
        tokio::spawn(async move {
            let mut i = 0u32;
            while !stop.load(Ordering::SeqCst) {
                i += 1;
                let o = store
                    .create_organization(&sys(), &organization(&format!("并发写入的企业 {i}")))
                    .await
                    .expect("the writer's organisation");
                store
                    .add_attachment(
                        &sys(),
                        RecordKind::Organization,
                        o.id,
                        "f.pdf",
                        "application/pdf",
                        &file_bytes(i as u8)
                            .into_iter()
                            .chain(i.to_be_bytes())
                            .collect::<Vec<_>>(),
                    )
                    .await
                    .expect("the writer's attachment");
                written.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    let wait_for = |n: usize| {
        let written = written.clone();
        async move {
            while written.load(Ordering::SeqCst) < n {
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
        }
    };
    wait_for(3).await;
    let at_start = written.load(Ordering::SeqCst);
    let (sum, file) = backup(&a).await;
    let during = written.load(Ordering::SeqCst) - at_start;
    wait_for(at_start + during + 3).await;
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    eprintln!("{during} writes finished while the backup ran ({} rows)", sum.rows());

    let t = parse(&file);
    // Every attachment's bytes are there.
    let blobs: BTreeSet<&str> = column(&t, "attachment_blob", "sha256")
        .into_iter()
        .filter_map(Value::as_str)
        .collect();
    for sha in column(&t, "attachment", "sha256").into_iter().filter_map(Value::as_str) {
        assert!(blobs.contains(sha), "attachment {sha} without its bytes");
    }
    // Every organisation and attachment has its audit entry, and no entry names one that is missing:
    // the tables were read at one moment, though organization comes long before audit_entry.
    let created = |kind: &str| -> BTreeSet<i64> {
        let (cols, rows) = &t["audit_entry"];
        let at = |c: &str| cols.iter().position(|x| x == c).unwrap();
        rows.iter()
            .filter(|r| r[at("record_kind")] == kind && r[at("action")] == "create")
            .map(|r| r[at("record_id")].as_i64().unwrap())
            .collect()
    };
    let ids = |table: &str| -> BTreeSet<i64> {
        column(&t, table, "id")
            .into_iter()
            .map(|v| v.as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids("organization"), created("organization"));
    assert_eq!(ids("attachment"), created("attachment"));
    let fed: BTreeSet<i64> = {
        let (cols, rows) = &t["change_feed"];
        let at = |c: &str| cols.iter().position(|x| x == c).unwrap();
        rows.iter()
            .filter(|r| r[at("record_kind")] == "attachment")
            .map(|r| r[at("record_id")].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids("attachment"), fed);
    // And the snapshot restores, every foreign key satisfied.
    let b = TestStore::new().await;
    let restored = b.restore(&file[..]).await.expect("the snapshot restores");
    assert_eq!(restored.rows(), sum.rows());
    assert!(
        count(&a, "organization").await > count(&b, "organization").await,
        "the writer went on after the backup"
    );
}

#[tokio::test]
async fn a_sqlite_backup_restores_into_postgresql_and_back() {
    if !std::env::var("TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        eprintln!("TEST_DATABASE_URL is not set: SQLite → PostgreSQL not tried");
        return;
    }
    let lite = SqliteStore::new("from").await;
    let (_, att_id, bytes) = demo_with_attachment(&lite.store).await;
    let (sum, file) = backup(&lite.store).await;
    assert_eq!(sum.header.backend, "sqlite");

    let pg = TestStore::new().await;
    assert_eq!(pg.backend(), Backend::Postgres);
    let restored = pg
        .restore(&file[..])
        .await
        .expect("a SQLite backup restores into PostgreSQL");
    assert_eq!(restored.tables, sum.tables);
    let (pg_sum, pg_file) = backup(&pg).await;
    assert_eq!(pg_sum.header.backend, "postgres");
    // The same tables, columns and values — timestamps, dates, booleans, floats and bytes alike.
    let (x, y) = (parse(&file), parse(&pg_file));
    assert_eq!(x.keys().collect::<Vec<_>>(), y.keys().collect::<Vec<_>>());
    for (name, (cols, rows)) in &x {
        assert_eq!(cols, &y[name].0, "columns of {name}");
        assert_eq!(rows.len(), y[name].1.len(), "rows of {name}");
        for (r, s) in rows.iter().zip(&y[name].1) {
            assert_eq!(r, s, "a row of {name}");
        }
    }
    let att = pg.get_attachment(&sys(), att_id).await.unwrap();
    assert_eq!(pg.attachment_content(&att).await.unwrap(), bytes);
    let o = pg
        .create_organization(&sys(), &organization("迁移后新建的企业"))
        .await
        .unwrap();
    assert!(o.id > 1);

    // And back: PostgreSQL's backup into a fresh SQLite store is the first file again.
    let back = SqliteStore::new("back").await;
    back.store
        .restore(&pg_file[..])
        .await
        .expect("a PostgreSQL backup restores into SQLite");
    let (_, back_file) = backup(&back.store).await;
    assert_eq!(body(&pg_file), body(&back_file));
}
