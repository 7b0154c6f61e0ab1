//! The queries every list depends on, through the public `Store` API, on whichever backend the test
//! store runs on: what each role sees (scope), filters, paging, counts and sorting — and that a
//! record outside a user's scope does not exist for them.
//!
//! Every test builds the same small world as the system: a city with two counties, enterprises
//! (and a lab under one of them) in each county, a university with two colleges, people, projects
//! led and co-led across the tree, demands and problems. Users are created with `add_user` and act
//! through the viewer `viewer_for` gives them.

mod common;

use chrono::NaiveDate;
use common::TestStore;
use hezuo_domain::access::{Role, Scope};
use hezuo_domain::demand::{CooperationMode, Demand, DemandData, DemandFilter, DemandSource, DemandStep};
use hezuo_domain::organization::{OrgKind, Organization, OrganizationData, OrganizationFilter};
use hezuo_domain::person::{Availability, ExpertProfile, Person, PersonData, PersonFilter};
use hezuo_domain::problem::{Problem, ProblemData, ProblemFilter};
use hezuo_domain::project::{Project, ProjectData, ProjectFilter, ProjectKind, ProjectOrigin, ProjectStatus};
use hezuo_domain::{ListParams, Money, Page};
use hezuo_store::{Store, StoreError, Viewer};
use std::collections::BTreeSet;
use std::fmt::Debug;

fn sys() -> Viewer {
    Viewer::system("test")
}

/// What the tests need of any listed record.
trait Record {
    fn id(&self) -> i64;
    fn label(&self) -> &str;
}

macro_rules! record {
    ($t:ty, $label:ident) => {
        impl Record for $t {
            fn id(&self) -> i64 {
                self.id
            }
            fn label(&self) -> &str {
                &self.$label
            }
        }
    };
}
record!(Organization, name);
record!(Project, title);
record!(Demand, title);
record!(Person, name);
record!(Problem, title);

fn ids<T: Record>(p: &Page<T>) -> BTreeSet<i64> {
    p.items.iter().map(Record::id).collect()
}

fn order<T: Record>(p: &Page<T>) -> Vec<i64> {
    p.items.iter().map(Record::id).collect()
}

/// The labels on a page, for failure messages.
fn labels<T: Record>(p: &Page<T>) -> Vec<String> {
    p.items.iter().map(|r| format!("{} {}", r.id(), r.label())).collect()
}

fn set(ids: &[i64]) -> BTreeSet<i64> {
    ids.iter().copied().collect()
}

/// Asserts that a page holds exactly `want` and that its total counts exactly those.
#[track_caller]
fn assert_exactly<T: Record>(p: &Page<T>, want: &[i64], what: &str) {
    assert_eq!(ids(p), set(want), "{what}: {:?}", labels(p));
    assert_eq!(p.total, want.len() as i64, "{what}: total of {:?}", labels(p));
}

#[track_caller]
fn assert_not_found<T: Debug>(r: Result<T, StoreError>, what: &str) {
    assert!(
        matches!(r, Err(StoreError::NotFound)),
        "{what}: expected NotFound, got {r:?}"
    );
}

/// Asserts that a list was refused for its parameter `field`.
#[track_caller]
fn assert_refused<T: Debug>(r: Result<T, StoreError>, field: &str, what: &str) {
    match r {
        Err(StoreError::Invalid(f)) => assert!(f.get(field).is_some(), "{what}: refused, but not for {field}: {f}"),
        other => panic!("{what}: expected a refusal naming {field}, got {other:?}"),
    }
}

fn params(page: Option<&str>, per_page: Option<&str>, sort: Option<&str>) -> ListParams {
    ListParams {
        page: page.map(String::from),
        per_page: per_page.map(String::from),
        sort: sort.map(String::from),
        ..Default::default()
    }
}

/// Everything on one page (the world is far smaller than 200 records).
fn all() -> ListParams {
    params(None, Some("200"), None)
}

fn sorted(sort: &str) -> ListParams {
    params(None, Some("200"), Some(sort))
}

fn day(s: &str) -> NaiveDate {
    s.parse().expect("a date")
}

/// The fixture's record ids.
struct World {
    city: i64,
    county_a: i64,
    county_b: i64,
    /// Enterprises in county A, and a lab under the first (a grandchild of the county).
    ent_a1: i64,
    lab_a1: i64,
    ent_a2: i64,
    ent_b1: i64,
    univ: i64,
    college_x: i64,
    college_y: i64,
    /// People: one in enterprise A1, one in enterprise B1, an expert in college X.
    person_a1: i64,
    person_b1: i64,
    expert_x: i64,
    /// Projects (kind, status, contract amount in 万元, title):
    /// research, in progress, 300, "AI 质检储能材料" — led by enterprise A1.
    p1: i64,
    /// research, planned, 100, "储能电池中试" — led by the lab under enterprise A1.
    p2: i64,
    /// engineering, in progress, 200, "储能装备联合研发" — led by college X, co-unit enterprise A2,
    /// the expert responsible.
    p3: i64,
    /// engineering, in progress, 200, "智能制造产线改造" — led by enterprise B1, co-unit college X.
    p4: i64,
    /// research, in progress, 50, "市级科技服务平台" — led by the city.
    p5: i64,
    /// talent, planned, 80, "高校人才培养计划" — led by the university, co-unit college Y.
    p6: i64,
    /// culture, approved, 120, "良率提升 50% 行动" — led by college Y.
    p7: i64,
    /// Demands: two of enterprise A1 (d1 with confidential details), one of A2, one of B1;
    /// d1 and d3 submitted, d2 and d4 drafts.
    d1: i64,
    d2: i64,
    d3: i64,
    d4: i64,
    /// Problems: on p1 owned by the city; on p4 owned by county A; on p5 owned by county B.
    q1: i64,
    q2: i64,
    q3: i64,
}

impl World {
    fn orgs(&self) -> Vec<i64> {
        vec![
            self.city,
            self.county_a,
            self.county_b,
            self.ent_a1,
            self.lab_a1,
            self.ent_a2,
            self.ent_b1,
            self.univ,
            self.college_x,
            self.college_y,
        ]
    }
    fn projects(&self) -> Vec<i64> {
        vec![self.p1, self.p2, self.p3, self.p4, self.p5, self.p6, self.p7]
    }
}

async fn org(s: &Store, parent: Option<i64>, kind: OrgKind, name: &str, region: Option<&str>) -> i64 {
    let enterprise = kind == OrgKind::Enterprise;
    s.create_organization(
        &sys(),
        &OrganizationData {
            parent_id: parent,
            kind,
            name: name.into(),
            short_name: None,
            region_code: region.map(String::from),
            credit_code: None,
            industry_code: enterprise.then(|| "C26".into()),
            address: None,
            phone: None,
            description: Some(format!("{name}的简介")),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("organisation {name}: {e:?}"))
    .id
}

struct P {
    title: &'static str,
    kind: ProjectKind,
    lead: i64,
    co: Vec<i64>,
    wan: i64,
    person: Option<i64>,
    /// The statuses it goes through after being created as planned.
    path: &'static [ProjectStatus],
}

async fn project(s: &Store, p: P) -> i64 {
    let mut d = ProjectData {
        title: p.title.into(),
        kind: p.kind,
        batch_year: 2026,
        batch_id: None,
        lead_unit_id: p.lead,
        co_unit_ids: p.co.clone(),
        responsible_person_id: p.person,
        origin: ProjectOrigin::Proposal,
        agreement_id: None,
        origin_note: None,
        contract_amount: Money(p.wan * 1_000_000),
        funding_won: Money(0),
        status: None,
        start_on: Some(day("2026-01-01")),
        end_on: Some(day("2027-12-31")),
        summary: None,
        create_anyway: false,
    };
    let id = s
        .create_project(&sys(), &d)
        .await
        .unwrap_or_else(|e| panic!("project {}: {e:?}", p.title))
        .id;
    for st in p.path {
        d.status = Some(*st);
        s.update_project(&sys(), id, &d, None)
            .await
            .unwrap_or_else(|e| panic!("project {} to {st:?}: {e:?}", p.title));
    }
    id
}

async fn person(s: &Store, org: i64, name: &str, expert: bool) -> i64 {
    s.create_person(
        &sys(),
        &PersonData {
            organization_id: org,
            name: name.into(),
            title: None,
            phone: None,
            email: None,
            expert: expert.then(|| ExpertProfile {
                discipline: Some("机械工程".into()),
                research_fields: None,
                keywords: vec!["储能".into()],
                bio: None,
                availability: Availability::Available,
                public_profile: false,
            }),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("person {name}: {e:?}"))
    .id
}

async fn demand(s: &Store, enterprise: i64, title: &str, deadline: &str, details: Option<&str>, submit: bool) -> i64 {
    let id = s
        .create_demand(
            &sys(),
            &DemandData {
                title: title.into(),
                summary: format!("{title}：需要高校协助"),
                details: details.map(String::from),
                enterprise_id: enterprise,
                campaign_id: None,
                industry: Some("C26".into()),
                field: None,
                budget_min: None,
                budget_max: None,
                mode: CooperationMode::Development,
                deadline: Some(day(deadline)),
                source: DemandSource::Posted,
                collected_by: None,
                collected_on: None,
                green_channel: false,
                public_name: false,
            },
        )
        .await
        .unwrap_or_else(|e| panic!("demand {title}: {e:?}"))
        .id;
    if submit {
        s.demand_step(&sys(), id, DemandStep::Submit, None, None)
            .await
            .unwrap_or_else(|e| panic!("submit demand {title}: {e:?}"));
    }
    id
}

async fn problem(s: &Store, project: i64, owner: i64, title: &str, due: &str) -> i64 {
    s.create_problem(
        &sys(),
        &ProblemData {
            project_id: project,
            title: title.into(),
            description: None,
            owner_id: owner,
            due_on: Some(day(due)),
            status: None,
            decision: None,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("problem {title}: {e:?}"))
    .id
}

async fn world(s: &Store) -> World {
    use OrgKind::*;
    use ProjectKind::*;
    use ProjectStatus::*;
    let city = org(s, None, Government, "衢州市", Some("330800")).await;
    let county_a = org(s, Some(city), Government, "柯城区", Some("330802")).await;
    let county_b = org(s, Some(city), Government, "衢江区", Some("330803")).await;
    let ent_a1 = org(s, Some(county_a), Enterprise, "柯城新材料有限公司", Some("330802")).await;
    let lab_a1 = org(s, Some(ent_a1), Institute, "柯城新材料研究院", Some("330802")).await;
    let ent_a2 = org(s, Some(county_a), Enterprise, "柯城智能装备有限公司", Some("330802")).await;
    let ent_b1 = org(s, Some(county_b), Enterprise, "衢江机械有限公司", Some("330803")).await;
    let univ = org(s, None, University, "衢州学院", Some("330802")).await;
    let college_x = org(s, Some(univ), College, "机械工程学院", None).await;
    let college_y = org(s, Some(univ), College, "人文学院", None).await;

    let person_a1 = person(s, ent_a1, "张工", false).await;
    let person_b1 = person(s, ent_b1, "李工", false).await;
    let expert_x = person(s, college_x, "王教授", true).await;

    let going: &'static [ProjectStatus] = &[Approved, InProgress];
    let p = |title, kind, lead, co: &[i64], wan, person, path| P {
        title,
        kind,
        lead,
        co: co.to_vec(),
        wan,
        person,
        path,
    };
    let p1 = project(s, p("AI 质检储能材料", Research, ent_a1, &[], 300, None, going)).await;
    let p2 = project(s, p("储能电池中试", Research, lab_a1, &[], 100, None, &[])).await;
    let p3 = project(
        s,
        p(
            "储能装备联合研发",
            Engineering,
            college_x,
            &[ent_a2],
            200,
            Some(expert_x),
            going,
        ),
    )
    .await;
    let p4 = project(
        s,
        p("智能制造产线改造", Engineering, ent_b1, &[college_x], 200, None, going),
    )
    .await;
    let p5 = project(s, p("市级科技服务平台", Research, city, &[], 50, None, going)).await;
    let p6 = project(s, p("高校人才培养计划", Talent, univ, &[college_y], 80, None, &[])).await;
    let p7 = project(
        s,
        p("良率提升 50% 行动", Culture, college_y, &[], 120, None, &[Approved]),
    )
    .await;

    let d1 = demand(
        s,
        ent_a1,
        "储能材料热稳定性检测",
        "2026-09-01",
        Some("机密：配方"),
        true,
    )
    .await;
    let d2 = demand(s, ent_a1, "废料回收工艺", "2026-07-01", None, false).await;
    let d3 = demand(s, ent_a2, "装备视觉定位", "2026-08-01", None, true).await;
    let d4 = demand(s, ent_b1, "机械臂控制", "2026-10-01", None, false).await;

    let q1 = problem(s, p1, city, "用地审批慢", "2026-07-10").await;
    let q2 = problem(s, p4, county_a, "配套资金未到位", "2026-07-20").await;
    let q3 = problem(s, p5, county_b, "场地未落实", "2026-07-01").await;

    World {
        city,
        county_a,
        county_b,
        ent_a1,
        lab_a1,
        ent_a2,
        ent_b1,
        univ,
        college_x,
        college_y,
        person_a1,
        person_b1,
        expert_x,
        p1,
        p2,
        p3,
        p4,
        p5,
        p6,
        p7,
        d1,
        d2,
        d3,
        d4,
        q1,
        q2,
        q3,
    }
}

/// A user of `role` anchored at `org` or `person`, as the viewer they sign in as.
async fn viewer(s: &Store, name: &str, role: Role, org: Option<i64>, person: Option<i64>) -> Viewer {
    let (user, _) = s
        .add_user(&sys(), name, role, org, person, Some("correct horse battery"))
        .await
        .unwrap_or_else(|e| panic!("user {name}: {e:?}"));
    s.viewer_for(&user, None)
        .await
        .unwrap_or_else(|e| panic!("viewer {name}: {e:?}"))
}

/// A fresh store holding the world.
async fn setup() -> (TestStore, World) {
    let s = TestStore::new().await;
    let w = world(&s).await;
    (s, w)
}

// --- Scope: what each role sees ------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_coordinator_lists_only_its_countys_organisations_and_counts_only_those() {
    let (s, w) = setup().await;
    let coord = viewer(&s, "coord_a", Role::Coordinator, Some(w.county_a), None).await;
    assert_eq!(coord.scope, Scope::Subtree(w.county_a));

    let f = OrganizationFilter::default();
    let page = s.list_organizations(&coord, &f, &all()).await.unwrap();
    // The county, its enterprises, and the lab two levels below it; not the city above it, the
    // neighbouring county or its enterprise, nor the university.
    assert_exactly(
        &page,
        &[w.county_a, w.ent_a1, w.lab_a1, w.ent_a2],
        "coordinator's organisations",
    );

    // The total counts the scope, not the page.
    let small = s
        .list_organizations(&coord, &f, &params(None, Some("1"), None))
        .await
        .unwrap();
    assert_eq!((small.items.len(), small.total), (1, 4));

    // A filter that the record just outside would match still leaves it out, items and total.
    let gov = OrganizationFilter {
        kind: Some("government".into()),
        ..Default::default()
    };
    let page = s.list_organizations(&coord, &gov, &all()).await.unwrap();
    assert_exactly(&page, &[w.county_a], "coordinator's governments");
    let everyone = s.list_organizations(&sys(), &gov, &all()).await.unwrap();
    assert_exactly(&everyone, &[w.city, w.county_a, w.county_b], "all governments");

    // The other county's coordinator sees its own subtree only.
    let coord_b = viewer(&s, "coord_b", Role::Coordinator, Some(w.county_b), None).await;
    let page = s.list_organizations(&coord_b, &f, &all()).await.unwrap();
    assert_exactly(&page, &[w.county_b, w.ent_b1], "county B's organisations");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_coordinator_lists_only_its_countys_projects_and_counts_only_those() {
    let (s, w) = setup().await;
    let coord = viewer(&s, "coord_a", Role::Coordinator, Some(w.county_a), None).await;

    let f = ProjectFilter::default();
    let page = s.list_projects(&coord, &f, &all()).await.unwrap();
    // Led by an enterprise of the county, led by the lab below it, and co-led by one of its
    // enterprises; not the neighbouring county's, the city's (just above), nor the university's.
    assert_exactly(&page, &[w.p1, w.p2, w.p3], "coordinator's projects");

    let small = s
        .list_projects(&coord, &f, &params(None, Some("2"), None))
        .await
        .unwrap();
    assert_eq!((small.items.len(), small.total), (2, 3));

    // The city's project is research and in progress like p1: a filter matching both keeps it out.
    let research = ProjectFilter {
        kind: Some("research".into()),
        status: Some("in_progress".into()),
        ..Default::default()
    };
    let page = s.list_projects(&coord, &research, &all()).await.unwrap();
    assert_exactly(&page, &[w.p1], "coordinator's research in progress");
    let everyone = s.list_projects(&sys(), &research, &all()).await.unwrap();
    assert_exactly(&everyone, &[w.p1, w.p5], "all research in progress");

    // A filter on an organisation outside the scope finds nothing, even where that organisation
    // co-leads a project the coordinator cannot see.
    let outside = ProjectFilter {
        organization_id: Some(w.ent_b1.to_string()),
        ..Default::default()
    };
    let page = s.list_projects(&coord, &outside, &all()).await.unwrap();
    assert_exactly(&page, &[], "coordinator filtering on county B's enterprise");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_coordinator_lists_the_demands_people_and_problems_of_its_county_only() {
    let (s, w) = setup().await;
    let coord = viewer(&s, "coord_a", Role::Coordinator, Some(w.county_a), None).await;

    let demands = s.list_demands(&coord, &DemandFilter::default(), &all()).await.unwrap();
    assert_exactly(&demands, &[w.d1, w.d2, w.d3], "coordinator's demands");
    // Coordinators read demands, not their confidential details.
    assert!(demands.items.iter().all(|d| d.details.is_none()), "details leaked");

    let people = s.list_people(&coord, &PersonFilter::default(), &all()).await.unwrap();
    assert_exactly(&people, &[w.person_a1], "coordinator's people");

    // A problem on one of the county's projects, and one the county owns on another county's
    // project; not one owned by the other county on the city's project.
    let problems = s
        .list_problems(&coord, &ProblemFilter::default(), &all())
        .await
        .unwrap();
    assert_exactly(&problems, &[w.q1, w.q2], "coordinator's problems");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_enterprise_sees_only_its_own_demands_and_projects() {
    let (s, w) = setup().await;
    let a1 = viewer(&s, "ent_a1", Role::Enterprise, Some(w.ent_a1), None).await;
    assert_eq!(a1.scope, Scope::Org(w.ent_a1));

    let demands = s.list_demands(&a1, &DemandFilter::default(), &all()).await.unwrap();
    // Not the demand of the other enterprise in the same county.
    assert_exactly(&demands, &[w.d1, w.d2], "enterprise A1's demands");
    let d1 = demands.items.iter().find(|d| d.id == w.d1).expect("d1");
    assert_eq!(d1.details.as_deref(), Some("机密：配方"), "its own details");

    let projects = s.list_projects(&a1, &ProjectFilter::default(), &all()).await.unwrap();
    // Only the project it leads: not the one of the lab beneath it (its scope is one organisation).
    assert_exactly(&projects, &[w.p1], "enterprise A1's projects");

    let orgs = s
        .list_organizations(&a1, &OrganizationFilter::default(), &all())
        .await
        .unwrap();
    assert_exactly(&orgs, &[w.ent_a1], "enterprise A1's organisations");

    let a2 = viewer(&s, "ent_a2", Role::Enterprise, Some(w.ent_a2), None).await;
    let projects = s.list_projects(&a2, &ProjectFilter::default(), &all()).await.unwrap();
    // The project it co-leads.
    assert_exactly(&projects, &[w.p3], "enterprise A2's projects");
    let demands = s.list_demands(&a2, &DemandFilter::default(), &all()).await.unwrap();
    assert_exactly(&demands, &[w.d3], "enterprise A2's demands");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_unit_sees_only_the_projects_it_leads_or_co_leads_and_their_problems() {
    let (s, w) = setup().await;
    let unit = viewer(&s, "college_x", Role::Unit, Some(w.college_x), None).await;
    assert_eq!(unit.scope, Scope::Org(w.college_x));

    let f = ProjectFilter::default();
    let page = s.list_projects(&unit, &f, &all()).await.unwrap();
    // Leads p3, co-leads p4; not its university's project nor its sibling college's.
    assert_exactly(&page, &[w.p3, w.p4], "college X's projects");

    let y = viewer(&s, "college_y", Role::Unit, Some(w.college_y), None).await;
    let page = s.list_projects(&y, &f, &all()).await.unwrap();
    assert_exactly(&page, &[w.p6, w.p7], "college Y's projects");

    // A unit is no enterprise: it has no demands.
    let demands = s.list_demands(&unit, &DemandFilter::default(), &all()).await.unwrap();
    assert_exactly(&demands, &[], "college X's demands");

    // The problems of its projects, and those it owns wherever they were raised.
    let owned = problem(&s, w.p5, w.college_x, "学院牵头协调", "2026-08-01").await;
    let problems = s.list_problems(&unit, &ProblemFilter::default(), &all()).await.unwrap();
    assert_exactly(&problems, &[w.q2, owned], "college X's problems");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expert_sees_only_the_projects_they_are_responsible_for_and_themselves() {
    let (s, w) = setup().await;
    let expert = viewer(&s, "wang", Role::Expert, None, Some(w.expert_x)).await;
    assert_eq!(
        expert.scope,
        Scope::Person {
            person_id: w.expert_x,
            org_id: w.college_x
        }
    );

    let projects = s
        .list_projects(&expert, &ProjectFilter::default(), &all())
        .await
        .unwrap();
    // Not p4, which their college co-leads but they are not responsible for.
    assert_exactly(&projects, &[w.p3], "the expert's projects");

    let people = s.list_people(&expert, &PersonFilter::default(), &all()).await.unwrap();
    assert_exactly(&people, &[w.expert_x], "the expert's people");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expert_sees_only_the_problems_of_the_projects_they_are_responsible_for() {
    let (s, w) = setup().await;
    let on_theirs = problem(&s, w.p3, w.city, "专家项目的问题", "2026-08-01").await;
    let owned_by_college = problem(&s, w.p4, w.college_x, "学院负责的问题", "2026-08-01").await;
    let expert = viewer(&s, "wang", Role::Expert, None, Some(w.expert_x)).await;
    assert_not_found(s.get_project(&expert, w.p4).await, "its college's other project");

    let problems = s
        .list_problems(&expert, &ProblemFilter::default(), &all())
        .await
        .unwrap();
    assert_exactly(&problems, &[on_theirs], "the expert's problems");
    assert_not_found(
        s.get_problem(&expert, owned_by_college).await,
        "a problem on a project the expert cannot see",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_leader_sees_everything_but_no_confidential_details() {
    let (s, w) = setup().await;
    let leader = viewer(&s, "leader", Role::Leader, None, None).await;
    assert_eq!(leader.scope, Scope::All);

    let orgs = s
        .list_organizations(&leader, &OrganizationFilter::default(), &all())
        .await
        .unwrap();
    assert_exactly(&orgs, &w.orgs(), "the leader's organisations");

    let projects = s
        .list_projects(&leader, &ProjectFilter::default(), &all())
        .await
        .unwrap();
    assert_exactly(&projects, &w.projects(), "the leader's projects");

    let demands = s.list_demands(&leader, &DemandFilter::default(), &all()).await.unwrap();
    assert_exactly(&demands, &[w.d1, w.d2, w.d3, w.d4], "the leader's demands");
    assert!(demands.items.iter().all(|d| d.details.is_none()), "details leaked");
    let office = s.get_demand(&sys(), w.d1).await.unwrap();
    assert_eq!(office.details.as_deref(), Some("机密：配方"), "the office reads them");

    let people = s.list_people(&leader, &PersonFilter::default(), &all()).await.unwrap();
    assert_exactly(&people, &[w.person_a1, w.person_b1, w.expert_x], "the leader's people");

    let problems = s
        .list_problems(&leader, &ProblemFilter::default(), &all())
        .await
        .unwrap();
    assert_exactly(&problems, &[w.q1, w.q2, w.q3], "the leader's problems");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_record_outside_the_scope_is_not_found_rather_than_forbidden() {
    let (s, w) = setup().await;
    let coord = viewer(&s, "coord_a", Role::Coordinator, Some(w.county_a), None).await;
    // Inside the scope, the same calls answer.
    s.get_organization(&coord, w.lab_a1).await.unwrap();
    s.get_project(&coord, w.p3).await.unwrap();
    s.get_demand(&coord, w.d3).await.unwrap();
    s.get_person(&coord, w.person_a1).await.unwrap();
    s.get_problem(&coord, w.q2).await.unwrap();
    // Outside it, the record does not exist.
    assert_not_found(s.get_organization(&coord, w.city).await, "the city above the county");
    assert_not_found(s.get_organization(&coord, w.county_b).await, "the neighbouring county");
    assert_not_found(s.get_organization(&coord, w.ent_b1).await, "its enterprise");
    assert_not_found(s.get_project(&coord, w.p4).await, "county B's project");
    assert_not_found(s.get_project(&coord, w.p5).await, "the city's project");
    assert_not_found(s.list_milestones(&coord, w.p4, false).await, "county B's milestones");
    assert_not_found(s.get_demand(&coord, w.d4).await, "county B's demand");
    assert_not_found(s.get_person(&coord, w.person_b1).await, "county B's person");
    assert_not_found(s.get_problem(&coord, w.q3).await, "county B's problem");
    // Exactly as for a record that does not exist at all.
    assert_not_found(s.get_project(&coord, 999_999).await, "a project that does not exist");

    let a1 = viewer(&s, "ent_a1", Role::Enterprise, Some(w.ent_a1), None).await;
    s.get_demand(&a1, w.d2).await.unwrap();
    assert_not_found(s.get_demand(&a1, w.d3).await, "the other enterprise's demand");
    assert_not_found(s.get_project(&a1, w.p2).await, "the lab's project");
    assert_not_found(s.get_organization(&a1, w.county_a).await, "its county");

    let unit = viewer(&s, "college_x", Role::Unit, Some(w.college_x), None).await;
    s.get_project(&unit, w.p4).await.unwrap();
    assert_not_found(s.get_project(&unit, w.p6).await, "its university's project");
    assert_not_found(s.get_project(&unit, w.p7).await, "its sibling's project");

    let expert = viewer(&s, "wang", Role::Expert, None, Some(w.expert_x)).await;
    assert_not_found(s.get_project(&expert, w.p4).await, "its college's other project");
    assert_not_found(s.get_person(&expert, w.person_a1).await, "another person");
}

// --- Paging ----------------------------------------------------------------------------------------

/// Walks every page of `per_page` = 2 and returns the ids in the order visited, checking that each
/// page but the last is full, the last is not empty, and `total` and `pages()` agree throughout.
async fn walk_projects(s: &Store, v: &Viewer, f: &ProjectFilter, sort: Option<&str>) -> Vec<i64> {
    let first = s
        .list_projects(v, f, &params(Some("1"), Some("2"), sort))
        .await
        .unwrap();
    let pages = first.pages();
    assert_eq!(pages as i64, (first.total + 1) / 2, "pages() for total {}", first.total);
    let mut seen = Vec::new();
    for n in 1..=pages {
        let page = s
            .list_projects(v, f, &params(Some(&n.to_string()), Some("2"), sort))
            .await
            .unwrap();
        assert_eq!((page.page, page.per_page), (n, 2));
        assert_eq!(page.total, first.total, "total on page {n}");
        assert_eq!(page.pages(), pages, "pages() on page {n}");
        let expected = if n < pages {
            2
        } else {
            first.total as usize - 2 * (pages as usize - 1)
        };
        assert_eq!(page.items.len(), expected, "items on page {n}: {:?}", labels(&page));
        seen.extend(order(&page));
    }
    seen
}

#[track_caller]
fn assert_each_once(seen: &[i64], want: &[i64], what: &str) {
    let mut sorted_seen = seen.to_vec();
    sorted_seen.sort_unstable();
    let mut sorted_want = want.to_vec();
    sorted_want.sort_unstable();
    assert_eq!(sorted_seen, sorted_want, "{what}: visited {seen:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn walking_pages_of_two_visits_every_record_exactly_once() {
    let (s, w) = setup().await;
    let leader = viewer(&s, "leader", Role::Leader, None, None).await;
    let f = ProjectFilter::default();
    // The default order, and orders with ties (kind, status, amount) that must not shuffle rows
    // between pages.
    for sort in [
        None,
        Some("kind"),
        Some("-status"),
        Some("contract_amount_fen"),
        Some("-contract_amount_fen"),
    ] {
        let seen = walk_projects(&s, &leader, &f, sort).await;
        assert_each_once(&seen, &w.projects(), &format!("leader's projects by {sort:?}"));
        // Walking the pages gives the same order as one page holding everything.
        let one = s
            .list_projects(&leader, &f, &params(None, Some("200"), sort))
            .await
            .unwrap();
        assert_eq!(seen, order(&one), "pages against one page by {sort:?}");
    }

    let coord = viewer(&s, "coord_a", Role::Coordinator, Some(w.county_a), None).await;
    let seen = walk_projects(&s, &coord, &f, None).await;
    assert_each_once(&seen, &[w.p1, w.p2, w.p3], "coordinator's projects");

    let research = ProjectFilter {
        kind: Some("research".into()),
        ..Default::default()
    };
    let seen = walk_projects(&s, &leader, &research, Some("title")).await;
    assert_each_once(&seen, &[w.p1, w.p2, w.p5], "research projects");

    // Organisations, as the coordinator, page the same way.
    let mut seen = Vec::new();
    for n in 1..=3 {
        let page = s
            .list_organizations(
                &coord,
                &OrganizationFilter::default(),
                &params(Some(&n.to_string()), Some("2"), None),
            )
            .await
            .unwrap();
        assert_eq!((page.total, page.pages()), (4, 2));
        seen.extend(order(&page));
    }
    assert_each_once(
        &seen,
        &[w.county_a, w.ent_a1, w.lab_a1, w.ent_a2],
        "coordinator's organisations",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_past_the_end_is_empty_and_keeps_the_total() {
    let (s, w) = setup().await;
    let f = ProjectFilter::default();
    let last = s
        .list_projects(&sys(), &f, &params(Some("4"), Some("2"), None))
        .await
        .unwrap();
    assert_eq!((last.items.len(), last.total, last.pages()), (1, 7, 4));
    // Projects come newest first by default: the last page holds the first one.
    assert_eq!(order(&last), vec![w.p1]);

    for page in ["5", "99", "1000000"] {
        let past = s
            .list_projects(&sys(), &f, &params(Some(page), Some("2"), None))
            .await
            .unwrap();
        assert!(past.items.is_empty(), "page {page}: {:?}", labels(&past));
        assert_eq!(past.total, 7, "page {page}");
    }
    // Page numbers go up to a million.
    assert_refused(
        s.list_projects(&sys(), &f, &params(Some("2000000"), Some("2"), None))
            .await,
        "page",
        "page 2000000",
    );

    let coord = viewer(&s, "coord_a", Role::Coordinator, Some(w.county_a), None).await;
    let past = s
        .list_organizations(
            &coord,
            &OrganizationFilter::default(),
            &params(Some("3"), Some("2"), None),
        )
        .await
        .unwrap();
    assert!(past.items.is_empty(), "{:?}", labels(&past));
    assert_eq!(past.total, 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn per_page_is_capped_and_nonsense_is_refused_by_name() {
    use hezuo_domain::list::{DEFAULT_PER_PAGE, MAX_PER_PAGE};
    let s = TestStore::new().await;
    let parent = org(&s, None, OrgKind::Government, "衢州市", Some("330800")).await;
    let n = MAX_PER_PAGE as i64 + 5;
    for i in 0..n {
        org(&s, Some(parent), OrgKind::Institute, &format!("研究所 {i:03}"), None).await;
    }
    let children = OrganizationFilter {
        parent_id: Some(parent.to_string()),
        ..Default::default()
    };

    let big = s
        .list_organizations(&sys(), &children, &params(None, Some("5000"), None))
        .await
        .unwrap();
    assert_eq!(big.per_page, MAX_PER_PAGE);
    assert_eq!(big.items.len(), MAX_PER_PAGE as usize);
    assert_eq!((big.total, big.pages()), (n, 2));
    let rest = s
        .list_organizations(&sys(), &children, &params(Some("2"), Some("5000"), None))
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 5);
    let both: BTreeSet<i64> = ids(&big).union(&ids(&rest)).copied().collect();
    assert_eq!(both.len() as i64, n, "the two capped pages together hold every child");

    // No page size, or a blank one, is the default; anything else must be a whole number from 1.
    for per_page in [None, Some("")] {
        let page = s
            .list_organizations(&sys(), &children, &params(None, per_page, None))
            .await
            .unwrap();
        assert_eq!(page.per_page, DEFAULT_PER_PAGE, "per_page {per_page:?}");
        assert_eq!(page.items.len(), DEFAULT_PER_PAGE as usize, "per_page {per_page:?}");
        assert_eq!(page.total, n, "per_page {per_page:?}");
    }
    for per_page in ["0", "-3", "abc", "2.5"] {
        assert_refused(
            s.list_organizations(&sys(), &children, &params(None, Some(per_page), None))
                .await,
            "per_page",
            &format!("per_page {per_page}"),
        );
    }
    for page in ["0", "-1", "abc"] {
        assert_refused(
            s.list_organizations(&sys(), &children, &params(Some(page), Some("10"), None))
                .await,
            "page",
            &format!("page {page}"),
        );
    }
}

// --- Filters ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn filters_on_kind_status_and_text_combine() {
    let (s, w) = setup().await;
    let pf = |kind: Option<&str>, status: Option<&str>, q: Option<&str>| ProjectFilter {
        kind: kind.map(String::from),
        status: status.map(String::from),
        q: q.map(String::from),
        ..Default::default()
    };
    let list = |f: ProjectFilter| {
        let s = &s.store;
        async move { s.list_projects(&sys(), &f, &all()).await.unwrap() }
    };

    // Each filter alone matches several projects; together only the one all three match.
    assert_exactly(
        &list(pf(Some("research"), None, None)).await,
        &[w.p1, w.p2, w.p5],
        "research",
    );
    assert_exactly(
        &list(pf(None, Some("in_progress"), None)).await,
        &[w.p1, w.p3, w.p4, w.p5],
        "in progress",
    );
    assert_exactly(&list(pf(None, None, Some("储能"))).await, &[w.p1, w.p2, w.p3], "储能");
    assert_exactly(
        &list(pf(Some("research"), Some("in_progress"), None)).await,
        &[w.p1, w.p5],
        "research in progress",
    );
    assert_exactly(
        &list(pf(Some("research"), Some("in_progress"), Some("储能"))).await,
        &[w.p1],
        "research in progress about 储能",
    );
    assert_exactly(
        &list(pf(Some("talent"), Some("in_progress"), Some("储能"))).await,
        &[],
        "talent in progress about 储能",
    );

    // The text matches regardless of case and of surrounding spaces; its % and _ are literal.
    assert_exactly(&list(pf(None, None, Some("  ai "))).await, &[w.p1], "ai");
    assert_exactly(&list(pf(None, None, Some("50%"))).await, &[w.p7], "50%");
    assert_exactly(&list(pf(None, None, Some("%"))).await, &[w.p7], "%");
    assert_exactly(&list(pf(None, None, Some("_"))).await, &[], "_");
    // An empty text is no filter.
    assert_exactly(&list(pf(None, None, Some("  "))).await, &w.projects(), "blank");

    // Organisations: kind and text.
    let of = |kind: Option<&str>, q: Option<&str>| OrganizationFilter {
        kind: kind.map(String::from),
        q: q.map(String::from),
        ..Default::default()
    };
    let orgs = |f: OrganizationFilter| {
        let s = &s.store;
        async move { s.list_organizations(&sys(), &f, &all()).await.unwrap() }
    };
    assert_exactly(
        &orgs(of(Some("enterprise"), None)).await,
        &[w.ent_a1, w.ent_a2, w.ent_b1],
        "enterprises",
    );
    assert_exactly(
        &orgs(of(None, Some("柯城"))).await,
        &[w.county_a, w.ent_a1, w.lab_a1, w.ent_a2],
        "柯城",
    );
    assert_exactly(
        &orgs(of(Some("enterprise"), Some("柯城"))).await,
        &[w.ent_a1, w.ent_a2],
        "enterprises of 柯城",
    );
    // A city code matches the divisions under it; a county code only itself.
    let region = |r: &str| OrganizationFilter {
        region_code: Some(r.into()),
        kind: Some("enterprise".into()),
        ..Default::default()
    };
    assert_exactly(&orgs(region("330800")).await, &[w.ent_a1, w.ent_a2, w.ent_b1], "330800");
    assert_exactly(&orgs(region("330803")).await, &[w.ent_b1], "330803");

    // Demands: status and enterprise, within a coordinator's scope.
    let coord = viewer(&s, "coord_a", Role::Coordinator, Some(w.county_a), None).await;
    let df = |status: Option<&str>, enterprise: Option<i64>| DemandFilter {
        status: status.map(String::from),
        enterprise_id: enterprise.map(|e| e.to_string()),
        ..Default::default()
    };
    let demands = |f: DemandFilter| {
        let (s, coord) = (&s.store, &coord);
        async move { s.list_demands(coord, &f, &all()).await.unwrap() }
    };
    assert_exactly(&demands(df(Some("submitted"), None)).await, &[w.d1, w.d3], "submitted");
    assert_exactly(
        &demands(df(None, Some(w.ent_a1))).await,
        &[w.d1, w.d2],
        "enterprise A1's",
    );
    assert_exactly(
        &demands(df(Some("submitted"), Some(w.ent_a1))).await,
        &[w.d1],
        "enterprise A1's submitted",
    );
    // A filter on an enterprise outside the scope does not widen it.
    assert_exactly(&demands(df(None, Some(w.ent_b1))).await, &[], "county B's enterprise");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_id_filter_is_refused_by_name_rather_than_ignored() {
    let (s, w) = setup().await;
    let by_parent = |p: &str| OrganizationFilter {
        parent_id: Some(p.into()),
        ..Default::default()
    };
    let orgs = |f: OrganizationFilter| {
        let s = &s.store;
        async move { s.list_organizations(&sys(), &f, &all()).await.unwrap() }
    };
    assert_exactly(
        &orgs(by_parent(&w.county_a.to_string())).await,
        &[w.ent_a1, w.ent_a2],
        "county A's children",
    );
    assert_exactly(
        &orgs(by_parent(&format!(" {} ", w.univ))).await,
        &[w.college_x, w.college_y],
        "padded id",
    );
    for bad in ["abc", "0", "-1", "1.5", "1 or 1=1", "99999999999999999999"] {
        assert_refused(
            s.list_organizations(&sys(), &by_parent(bad), &all()).await,
            "parent_id",
            &format!("parent_id={bad}"),
        );
    }
    // A blank one is no filter at all.
    assert_exactly(&orgs(by_parent(" ")).await, &w.orgs(), "blank parent_id");

    let projects = |f: ProjectFilter| {
        let s = &s.store;
        async move { s.list_projects(&sys(), &f, &all()).await.unwrap() }
    };
    let lead = ProjectFilter {
        lead_unit_id: Some(w.college_x.to_string()),
        ..Default::default()
    };
    assert_exactly(&projects(lead).await, &[w.p3], "led by college X");
    let involving = ProjectFilter {
        organization_id: Some(w.college_x.to_string()),
        ..Default::default()
    };
    assert_exactly(&projects(involving).await, &[w.p3, w.p4], "involving college X");
    let bad_filters = [
        (
            "lead_unit_id",
            ProjectFilter {
                lead_unit_id: Some("abc".into()),
                ..Default::default()
            },
        ),
        (
            "organization_id",
            ProjectFilter {
                organization_id: Some("x1".into()),
                ..Default::default()
            },
        ),
        (
            "responsible_person_id",
            ProjectFilter {
                responsible_person_id: Some("abc".into()),
                ..Default::default()
            },
        ),
        (
            "agreement_id",
            ProjectFilter {
                agreement_id: Some("-7".into()),
                ..Default::default()
            },
        ),
        (
            "batch_id",
            ProjectFilter {
                batch_id: Some("abc".into()),
                ..Default::default()
            },
        ),
        (
            "batch_year",
            ProjectFilter {
                batch_year: Some("abc".into()),
                ..Default::default()
            },
        ),
    ];
    for (field, f) in bad_filters {
        let what = format!("{f:?}");
        assert_refused(s.list_projects(&sys(), &f, &all()).await, field, &what);
    }

    assert_refused(
        s.list_demands(
            &sys(),
            &DemandFilter {
                enterprise_id: Some("abc".into()),
                ..Default::default()
            },
            &all(),
        )
        .await,
        "enterprise_id",
        "demands of enterprise abc",
    );
    assert_refused(
        s.list_problems(
            &sys(),
            &ProblemFilter {
                project_id: Some("abc".into()),
                ..Default::default()
            },
            &all(),
        )
        .await,
        "project_id",
        "problems of project abc",
    );
    assert_refused(
        s.list_people(
            &sys(),
            &PersonFilter {
                organization_id: Some("abc".into()),
                ..Default::default()
            },
            &all(),
        )
        .await,
        "organization_id",
        "people of organisation abc",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn archived_records_are_hidden_unless_asked_for() {
    let (s, w) = setup().await;
    s.set_organization_archived(&sys(), w.lab_a1, true, None).await.unwrap();
    s.set_organization_archived(&sys(), w.ent_b1, true, None).await.unwrap();
    s.set_project_archived(&sys(), w.p2, true, None).await.unwrap();
    s.set_project_archived(&sys(), w.p4, true, None).await.unwrap();
    s.set_demand_archived(&sys(), w.d2, true, None).await.unwrap();
    s.set_person_archived(&sys(), w.person_b1, true, None).await.unwrap();
    s.set_problem_archived(&sys(), w.q3, true, None).await.unwrap();

    let of = |a: Option<&str>| OrganizationFilter {
        archived: a.map(String::from),
        ..Default::default()
    };
    let live_orgs: Vec<i64> = w
        .orgs()
        .into_iter()
        .filter(|o| *o != w.lab_a1 && *o != w.ent_b1)
        .collect();
    for (a, want) in [
        (None, live_orgs.clone()),
        (Some("false"), live_orgs.clone()),
        (Some("nonsense"), live_orgs.clone()),
        (Some("true"), vec![w.lab_a1, w.ent_b1]),
        (Some("all"), w.orgs()),
    ] {
        let page = s.list_organizations(&sys(), &of(a), &all()).await.unwrap();
        assert_exactly(&page, &want, &format!("organisations, archived={a:?}"));
    }

    let pf = |a: Option<&str>| ProjectFilter {
        archived: a.map(String::from),
        ..Default::default()
    };
    let page = s.list_projects(&sys(), &pf(None), &all()).await.unwrap();
    assert_exactly(&page, &[w.p1, w.p3, w.p5, w.p6, w.p7], "live projects");
    let page = s.list_projects(&sys(), &pf(Some("true")), &all()).await.unwrap();
    assert_exactly(&page, &[w.p2, w.p4], "archived projects");
    let page = s.list_projects(&sys(), &pf(Some("all")), &all()).await.unwrap();
    assert_exactly(&page, &w.projects(), "all projects");

    // Asking for archived records does not widen a scope.
    let coord = viewer(&s, "coord_a", Role::Coordinator, Some(w.county_a), None).await;
    let page = s.list_projects(&coord, &pf(Some("true")), &all()).await.unwrap();
    assert_exactly(&page, &[w.p2], "coordinator's archived projects");
    let page = s.list_projects(&coord, &pf(Some("all")), &all()).await.unwrap();
    assert_exactly(&page, &[w.p1, w.p2, w.p3], "coordinator's projects, archived or not");
    let page = s.list_organizations(&coord, &of(Some("all")), &all()).await.unwrap();
    assert_exactly(
        &page,
        &[w.county_a, w.ent_a1, w.lab_a1, w.ent_a2],
        "coordinator's organisations, archived or not",
    );

    // (The archived lab still anchors its project in the county's scope, as above; by default
    // the coordinator's list hides that project.)
    let page = s.list_projects(&coord, &pf(None), &all()).await.unwrap();
    assert_exactly(&page, &[w.p1, w.p3], "coordinator's live projects");

    let df = |a: &str| DemandFilter {
        archived: Some(a.into()),
        ..Default::default()
    };
    let page = s.list_demands(&sys(), &DemandFilter::default(), &all()).await.unwrap();
    assert_exactly(&page, &[w.d1, w.d3, w.d4], "live demands");
    let page = s.list_demands(&sys(), &df("true"), &all()).await.unwrap();
    assert_exactly(&page, &[w.d2], "archived demands");
    let page = s.list_demands(&sys(), &df("all"), &all()).await.unwrap();
    assert_exactly(&page, &[w.d1, w.d2, w.d3, w.d4], "all demands");

    let page = s.list_people(&sys(), &PersonFilter::default(), &all()).await.unwrap();
    assert_exactly(&page, &[w.person_a1, w.expert_x], "live people");
    let archived_people = PersonFilter {
        archived: Some("true".into()),
        ..Default::default()
    };
    let page = s.list_people(&sys(), &archived_people, &all()).await.unwrap();
    assert_exactly(&page, &[w.person_b1], "archived people");

    let page = s
        .list_problems(&sys(), &ProblemFilter::default(), &all())
        .await
        .unwrap();
    assert_exactly(&page, &[w.q1, w.q2], "live problems");
    let archived_problems = ProblemFilter {
        archived: Some("true".into()),
        ..Default::default()
    };
    let page = s.list_problems(&sys(), &archived_problems, &all()).await.unwrap();
    assert_exactly(&page, &[w.q3], "archived problems");

    // Restoring brings a record back.
    s.set_project_archived(&sys(), w.p2, false, None).await.unwrap();
    let page = s.list_projects(&sys(), &pf(None), &all()).await.unwrap();
    assert_exactly(
        &page,
        &[w.p1, w.p2, w.p3, w.p5, w.p6, w.p7],
        "live projects after a restore",
    );
}

// --- Sorting ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn sorting_by_an_allowed_column_works_both_ways_and_ties_break_by_id() {
    let (s, w) = setup().await;
    let f = ProjectFilter::default();
    // Contract amounts: p5 50, p6 80, p2 100, p7 120, p3 200, p4 200, p1 300.
    let up = s
        .list_projects(&sys(), &f, &sorted("contract_amount_fen"))
        .await
        .unwrap();
    assert_eq!(
        order(&up),
        vec![w.p5, w.p6, w.p2, w.p7, w.p3, w.p4, w.p1],
        "{:?}",
        labels(&up)
    );
    let down = s
        .list_projects(&sys(), &f, &sorted("-contract_amount_fen"))
        .await
        .unwrap();
    assert_eq!(
        order(&down),
        vec![w.p1, w.p4, w.p3, w.p7, w.p2, w.p6, w.p5],
        "{:?}",
        labels(&down)
    );
    // Spaces around the sort are ignored.
    let padded = s
        .list_projects(&sys(), &f, &sorted(" -contract_amount_fen "))
        .await
        .unwrap();
    assert_eq!(order(&padded), order(&down));

    // By id, both ways.
    let ascending = s.list_projects(&sys(), &f, &sorted("id")).await.unwrap();
    assert_eq!(order(&ascending), w.projects());
    let descending = s.list_projects(&sys(), &f, &sorted("-id")).await.unwrap();
    let mut rev = w.projects();
    rev.reverse();
    assert_eq!(order(&descending), rev);

    // Dates: demands by deadline (d2 07-01, d3 08-01, d1 09-01, d4 10-01).
    let df = DemandFilter::default();
    let up = s.list_demands(&sys(), &df, &sorted("deadline")).await.unwrap();
    assert_eq!(order(&up), vec![w.d2, w.d3, w.d1, w.d4], "{:?}", labels(&up));
    let down = s.list_demands(&sys(), &df, &sorted("-deadline")).await.unwrap();
    assert_eq!(order(&down), vec![w.d4, w.d1, w.d3, w.d2], "{:?}", labels(&down));

    // Problems by due date (q3 07-01, q1 07-10, q2 07-20).
    let pf = ProblemFilter::default();
    let up = s.list_problems(&sys(), &pf, &sorted("due_on")).await.unwrap();
    assert_eq!(order(&up), vec![w.q3, w.q1, w.q2], "{:?}", labels(&up));
    let down = s.list_problems(&sys(), &pf, &sorted("-due_on")).await.unwrap();
    assert_eq!(order(&down), vec![w.q2, w.q1, w.q3], "{:?}", labels(&down));

    // Organisations by kind: ties (three governments, three enterprises…) in id order either way.
    let of = OrganizationFilter::default();
    let up = s.list_organizations(&sys(), &of, &sorted("kind")).await.unwrap();
    let kinds: Vec<&str> = up.items.iter().map(|o| o.kind.as_str()).collect();
    let mut by_kind = kinds.clone();
    by_kind.sort_unstable();
    assert_eq!(kinds, by_kind, "{:?}", labels(&up));
    let expected_up: Vec<i64> = {
        let mut v: Vec<(&str, i64)> = up.items.iter().map(|o| (o.kind.as_str(), o.id)).collect();
        v.sort_unstable();
        v.into_iter().map(|(_, id)| id).collect()
    };
    assert_eq!(order(&up), expected_up);
    let down = s.list_organizations(&sys(), &of, &sorted("-kind")).await.unwrap();
    let mut expected_down = expected_up.clone();
    expected_down.reverse();
    assert_eq!(order(&down), expected_down, "{:?}", labels(&down));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_sort_is_refused_naming_the_choices() {
    let (s, w) = setup().await;
    let f = ProjectFilter::default();
    // Projects default to the newest first.
    let mut newest_first = w.projects();
    newest_first.reverse();
    let default = s.list_projects(&sys(), &f, &all()).await.unwrap();
    assert_eq!(order(&default), newest_first);
    // A blank sort is the default…
    let page = s.list_projects(&sys(), &f, &sorted(" ")).await.unwrap();
    assert_eq!(order(&page), newest_first);
    // …while real columns that are not offered for sorting, unknown names and attempts at SQL are
    // refused, naming the parameter.
    for sort in [
        "created_at",
        "summary",
        "bogus",
        "-bogus",
        "-",
        "title; drop table project",
        "contract_amount_fen asc",
        "CONTRACT_AMOUNT_FEN",
    ] {
        assert_refused(s.list_projects(&sys(), &f, &sorted(sort)).await, "sort", sort);
    }
    assert_eq!(
        s.list_projects(&sys(), &f, &all()).await.unwrap().total,
        7,
        "the table survived"
    );

    let of = OrganizationFilter::default();
    for sort in ["-description", "-created_at", "-bogus", "name desc"] {
        assert_refused(s.list_organizations(&sys(), &of, &sorted(sort)).await, "sort", sort);
    }
    // Organisations default to the oldest first, demands to the newest.
    assert_eq!(
        order(&s.list_organizations(&sys(), &of, &all()).await.unwrap()),
        w.orgs()
    );
    let page = s.list_demands(&sys(), &DemandFilter::default(), &all()).await.unwrap();
    assert_eq!(order(&page), vec![w.d4, w.d3, w.d2, w.d1]);
}

/// `/register`'s proof-of-work key is shared by every server on one database: whoever asks first
/// makes it, asking again (or eight at once) gives the same, and another name is another secret.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_shared_secret_is_made_once_and_the_same_for_every_asker() {
    let s = TestStore::new().await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = s.store.clone();
        tasks.push(tokio::spawn(async move {
            store.shared_secret("register_pow").await.unwrap()
        }));
    }
    let mut got = Vec::new();
    for t in tasks {
        got.push(t.await.unwrap());
    }
    assert_eq!(got[0].len(), 64, "32 bytes in hex");
    assert!(got.iter().all(|g| *g == got[0]), "one winner: {got:?}");
    assert_eq!(s.shared_secret("register_pow").await.unwrap(), got[0]);
    assert_ne!(s.shared_secret("another").await.unwrap(), got[0]);
}
