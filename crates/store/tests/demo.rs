//! The demo data, as a user would see it after `hezuo demo`: enough enterprises, every project kind
//! and status, three batch years, milestones overdue and due soon; and never loaded twice.

use hezuo_store::Viewer;
use std::sync::LazyLock;

/// The demo is checked with the office's view of everything.
static SYS: LazyLock<Viewer> = LazyLock::new(|| Viewer::system("test"));
use chrono::NaiveDate;
use hezuo_domain::ListParams;
use hezuo_domain::organization::OrganizationFilter;
use hezuo_domain::project::{MilestoneState, Project, ProjectFilter, ProjectKind, ProjectStatus};
use hezuo_store::{Store, StoreError, demo};
use std::path::PathBuf;

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let d = std::env::temp_dir().join(format!("hezuo-demo-test-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        TempDir(d)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn all() -> ListParams {
    ListParams {
        per_page: Some("200".into()),
        ..Default::default()
    }
}

async fn projects(store: &Store) -> Vec<Project> {
    let page = store
        .list_projects(&SYS, &ProjectFilter::default(), &all())
        .await
        .unwrap();
    assert!(page.total <= 200, "more projects than one page");
    page.items
}

/// (state, due_on, title, whether the project is active) of every milestone, in project order.
async fn milestones(store: &Store, today: NaiveDate) -> Vec<(MilestoneState, NaiveDate, String, bool)> {
    let mut out = Vec::new();
    let mut ps = projects(store).await;
    ps.sort_by_key(|p| p.id);
    for p in ps {
        for m in store.list_milestones(&SYS, p.id, false).await.unwrap() {
            let active = matches!(p.status, ProjectStatus::Approved | ProjectStatus::InProgress);
            out.push((m.state(today), m.due_on, format!("{}/{}", p.title, m.title), active));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_shows_a_living_cooperation_and_loads_only_once() {
    let dir = TempDir::new("main");
    let store = Store::open_and_migrate(None, &dir.0).await.unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
    let sum = demo::load(&store, today).await.unwrap();

    let enterprises = OrganizationFilter {
        kind: Some("enterprise".into()),
        ..Default::default()
    };
    assert!(
        store
            .list_organizations(&SYS, &enterprises, &all())
            .await
            .unwrap()
            .total
            >= 40
    );
    let orgs = store
        .list_organizations(&SYS, &OrganizationFilter::default(), &all())
        .await
        .unwrap()
        .total;
    assert_eq!(orgs as usize, sum.organizations);

    let ps = projects(&store).await;
    assert!(ps.len() >= 50, "{} projects", ps.len());
    assert_eq!(ps.len(), sum.projects);
    for k in ProjectKind::ALL {
        assert!(ps.iter().any(|p| p.kind == *k), "no {k:?} project");
    }
    for st in ProjectStatus::ALL {
        assert!(ps.iter().any(|p| p.status == *st), "no {st:?} project");
    }
    assert_eq!(store.project_years().await.unwrap(), vec![2026, 2025, 2024]);
    assert!(ps.iter().all(|p| p.funding_won_wan <= p.contract_amount_wan));
    assert!(ps.iter().any(|p| p.agreement_id.is_some()));
    let current = ps.iter().filter(|p| p.batch_year == 2026);
    let under_way = current
        .clone()
        .filter(|p| p.status == ProjectStatus::InProgress)
        .count();
    assert!(
        under_way * 2 > current.count(),
        "this year's batch should be mostly in progress"
    );

    let ms = milestones(&store, today).await;
    assert_eq!(ms.len(), sum.milestones);
    // Supervision looks at active (approved or in-progress) projects only.
    let count = |s: MilestoneState| ms.iter().filter(|m| m.0 == s && m.3).count();
    assert!(
        count(MilestoneState::Overdue) >= 5,
        "{} overdue",
        count(MilestoneState::Overdue)
    );
    assert!(
        count(MilestoneState::DueSoon) >= 3,
        "{} due soon",
        count(MilestoneState::DueSoon)
    );
    assert!(ms.iter().filter(|m| m.0 == MilestoneState::Done).count() >= 20);
    assert!(count(MilestoneState::Pending) >= 20);

    let again = demo::load(&store, today).await;
    assert!(
        matches!(again, Err(StoreError::Invalid(_))),
        "a second load must be refused"
    );
    store.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_day_gives_the_same_data_and_any_day_loads() {
    let today = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
    let mut seen = Vec::new();
    for (tag, day) in [
        ("a", today),
        ("b", today),
        ("c", NaiveDate::from_ymd_opt(2027, 1, 2).unwrap()),
        ("d", NaiveDate::from_ymd_opt(2028, 12, 31).unwrap()),
    ] {
        let dir = TempDir::new(tag);
        let store = Store::open_and_migrate(None, &dir.0).await.unwrap();
        let sum = demo::load(&store, day)
            .await
            .unwrap_or_else(|e| panic!("demo on {day}: {e:?}"));
        assert!(sum.projects >= 50 && sum.people >= 80, "{sum:?}");
        let ps: Vec<_> = projects(&store)
            .await
            .into_iter()
            .map(|p| (p.title, p.status, p.start_on, p.contract_amount_wan))
            .collect();
        seen.push((ps, milestones(&store, day).await));
        store.close().await;
    }
    assert_eq!(seen[0], seen[1], "the same day must give the same data");
}
