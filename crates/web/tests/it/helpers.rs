//! `spawn_app()`: a fresh store for each test — SQLite in its own temporary folder, or, when
//! `TEST_DATABASE_URL` names a PostgreSQL server, its own database there, dropped afterwards —
//! and typed request helpers that drive the router without a socket.

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use hezuo_domain::Clock;
use hezuo_domain::access::Role;
use hezuo_store::Store;
use hezuo_store::Viewer;
use http_body_util::BodyExt;
use serde_json::Value;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use tower::ServiceExt;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A signed-in browser or client: its session cookie and CSRF token.
#[derive(Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

pub struct TestApp {
    pub app: Router,
    pub store: Store,
    /// The coordination office's session, used by the plain request helpers.
    pub office: Session,
    /// The search index and the threads matching and search run on (tests set their size).
    pub search: std::sync::Arc<hezuo_app::search::Search>,
    dir: PathBuf,
    pg: Option<(String, String)>,
}

pub struct Res {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub bytes: Vec<u8>,
}

impl Res {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
    pub fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with_upload_limit(64 * 1024).await
}

/// An app that accepts uploads up to `limit` bytes (imports of large spreadsheets).
pub async fn spawn_app_with_upload_limit(limit: usize) -> TestApp {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let tag = format!(
        "{}_{}_{n}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros() % 1_000_000
    );
    let dir = std::env::temp_dir().join(format!("hezuo-test-{tag}"));
    let (url, pg) = match std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
    {
        Some(admin) => {
            let name = format!("hezuo_test_{tag}");
            Store::create_migrated_database(&admin, &dir, &name)
                .await
                .expect("create test database");
            let (base, _) = admin.rsplit_once('/').expect("database url with a database name");
            (Some(format!("{base}/{name}")), Some((admin, name)))
        }
        None => (None, None),
    };
    let store = Store::open_and_migrate(url.as_deref(), &dir)
        .await
        .expect("open store")
        .with_clock(Clock::Fixed("2026-06-15".parse().unwrap()));
    exact_figures(&store);
    let mut state = hezuo_web::AppState::new(store.clone());
    state.max_upload_bytes = limit;
    let search = state.search.clone();
    let mut app = TestApp {
        app: hezuo_web::app(state),
        search,
        store,
        office: Session {
            cookie: String::new(),
            csrf: String::new(),
        },
        dir,
        pg,
    };
    app.office = app.user("office", Role::Office, None, None).await;
    app
}

/// Statistics made on every view, however long they take: a test's figures must follow each write,
/// and on a loaded machine a small store's could take the 100 ms after which a server keeps them a
/// few minutes (`hezuo_store::kept`). The test of keeping sets it back to zero.
pub fn exact_figures(store: &Store) {
    store.set_keep_results_after(std::time::Duration::from_secs(3600));
}

/// The password every test user gets.
pub const PASSWORD: &str = "correct horse battery";

/// Runs `sql` on the PostgreSQL server's admin database `admin` (a connection of its own, closed after).
async fn on_admin(admin: &str, dir: &std::path::Path, sql: &str) -> hezuo_store::Result<()> {
    let a = Store::open(Some(admin), dir).await?;
    let done = a.execute_admin(sql).await;
    a.close().await;
    done
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((admin, name)) = self.pg.take() {
            let dir = self.dir.clone();
            // Drop cannot await, and the test's own runtime is blocked here, so a short-lived runtime on
            // its own thread drops the database; `with (force)` ends the test pool's connections.
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async move {
                    let _ = on_admin(&admin, &dir, &format!("drop database if exists {name} with (force)")).await;
                    let _ = std::fs::remove_dir_all(&dir);
                });
            })
            .join()
            .ok();
        }
    }
}

impl TestApp {
    /// The test store's data folder.
    pub fn store_dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// A second server on the same database, with a data folder of its own where the backend allows
    /// it (PostgreSQL; a SQLite database is a file in the data folder): what a second machine behind
    /// the load balancer is.
    pub async fn second_server(&self) -> Router {
        let (url, dir) = match &self.pg {
            Some((admin, name)) => {
                let (base, _) = admin.rsplit_once('/').expect("database url with a database name");
                (Some(format!("{base}/{name}")), self.dir.join("second-server"))
            }
            None => (None, self.dir.clone()),
        };
        let store = Store::open_and_migrate(url.as_deref(), &dir)
            .await
            .expect("open the store again")
            .with_clock(Clock::Fixed("2026-06-15".parse().unwrap()));
        exact_figures(&store);
        hezuo_web::app(hezuo_web::AppState::new(store))
    }

    /// The same database opened again, as a second server's store (webhook dispatchers side by side).
    pub async fn second_store(&self) -> Store {
        let (url, dir) = match &self.pg {
            Some((admin, name)) => {
                let (base, _) = admin.rsplit_once('/').expect("database url with a database name");
                (Some(format!("{base}/{name}")), self.dir.join("second-store"))
            }
            None => (None, self.dir.clone()),
        };
        Store::open_and_migrate(url.as_deref(), &dir)
            .await
            .expect("open the store again")
    }

    /// Ends every connection the test's servers hold to the database, as a PostgreSQL restart or a
    /// proxy dropping idle connections would; false on SQLite, whose connections are files in this
    /// process that nothing outside it can end.
    pub async fn end_database_connections(&self) -> bool {
        let Some((admin, name)) = &self.pg else {
            return false;
        };
        on_admin(
            admin,
            &self.dir.join("admin"),
            &format!("select pg_terminate_backend(pid) from pg_stat_activity where datname = '{name}'"),
        )
        .await
        .expect("end the connections");
        true
    }

    /// Moves the app's "today" (same records, sessions and users).
    pub fn set_today(&mut self, day: &str) {
        let store = self
            .store
            .clone()
            .with_clock(Clock::Fixed(day.parse().expect("a date")));
        let mut state = hezuo_web::AppState::new(store.clone());
        state.max_upload_bytes = 64 * 1024;
        self.app = hezuo_web::app(state);
        self.store = store;
    }

    /// Creates a user with [`PASSWORD`] and signs them in through the API.
    pub async fn user(&self, name: &str, role: Role, org: Option<i64>, person: Option<i64>) -> Session {
        self.store
            .add_user(&Viewer::system("test"), name, role, org, person, Some(PASSWORD))
            .await
            .expect("add user");
        self.login(name, PASSWORD).await.expect("sign in")
    }

    /// Signs in through the API; None when refused.
    pub async fn login(&self, name: &str, password: &str) -> Option<Session> {
        self.login_from(name, password, [127, 0, 0, 1]).await
    }

    /// Signs in through the API from the given address.
    pub async fn login_from(&self, name: &str, password: &str, ip: [u8; 4]) -> Option<Session> {
        let mut req = Request::post("/api/v1/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                serde_json::json!({"username": name, "password": password}).to_string(),
            ))
            .unwrap();
        req.extensions_mut().insert(ConnectInfo(SocketAddr::from((ip, 40001))));
        let r = self.send_raw(req).await;
        if r.status != StatusCode::OK {
            return None;
        }
        let set = r.headers.get(header::SET_COOKIE)?.to_str().ok()?.to_string();
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"), "{set}");
        let cookie = set.split(';').next()?.to_string();
        Some(Session {
            cookie,
            csrf: r.json()["csrf_token"].as_str()?.to_string(),
        })
    }

    /// Sends as the office.
    pub async fn send(&self, req: Request<Body>) -> Res {
        let office = self.office.clone();
        self.send_as(Some(&office), req).await
    }

    /// Sends with a session's cookie and CSRF header (or as nobody).
    pub async fn send_as(&self, s: Option<&Session>, mut req: Request<Body>) -> Res {
        if let Some(s) = s {
            req.headers_mut().insert(header::COOKIE, s.cookie.parse().unwrap());
            req.headers_mut().insert("x-csrf-token", s.csrf.parse().unwrap());
        }
        self.send_raw(req).await
    }

    /// Sends exactly the request given, from 127.0.0.1 unless it says otherwise.
    pub async fn send_raw(&self, req: Request<Body>) -> Res {
        send_to(self.app.clone(), req).await
    }

    /// A GET as the office on another server (a router from [`TestApp::second_server`]).
    pub async fn get_on(&self, server: &Router, uri: &str) -> Res {
        let mut req = Request::get(uri).body(Body::empty()).unwrap();
        req.headers_mut()
            .insert(header::COOKIE, self.office.cookie.parse().unwrap());
        send_to(server.clone(), req).await
    }

    pub async fn get(&self, uri: &str) -> Res {
        self.send(Request::get(uri).body(Body::empty()).unwrap()).await
    }
    pub async fn get_lang(&self, uri: &str, accept: &str) -> Res {
        self.send(
            Request::get(uri)
                .header(header::ACCEPT_LANGUAGE, accept)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }
    pub async fn json(&self, method: &str, uri: &str, body: Value) -> Res {
        self.send(
            Request::builder()
                .method(method)
                .uri(uri)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }
    pub async fn post(&self, uri: &str, body: Value) -> Res {
        self.json("POST", uri, body).await
    }
    /// Posts an HTML form as a browser would: the session cookie, and the CSRF token as a field.
    pub async fn form(&self, uri: &str, pairs: &[(&str, &str)]) -> Res {
        let office = self.office.clone();
        self.form_as(&office, uri, pairs).await
    }

    pub async fn form_as(&self, s: &Session, uri: &str, pairs: &[(&str, &str)]) -> Res {
        let mut pairs = pairs.to_vec();
        pairs.push(("_csrf", &s.csrf));
        let body = serde_urlencoded::to_string(&pairs).unwrap();
        self.send_raw(
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, &s.cookie)
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }
    pub async fn upload(&self, uri: &str, kind: &str, id: i64, filename: &str, bytes: &[u8]) -> Res {
        let office = self.office.clone();
        self.upload_as(&office, uri, kind, id, filename, bytes).await
    }

    /// A multipart upload with the session's cookie and CSRF header.
    pub async fn upload_as(&self, s: &Session, uri: &str, kind: &str, id: i64, filename: &str, bytes: &[u8]) -> Res {
        let b = "hezuoBoundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (k, v) in [("record_kind", kind.to_string()), ("record_id", id.to_string())] {
            body.extend(format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
        }
        body.extend(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend(bytes);
        body.extend(format!("\r\n--{b}--\r\n").as_bytes());
        self.send_as(
            Some(s),
            Request::post(uri)
                .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={b}"))
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// A JSON request as someone.
    pub async fn json_by(&self, s: &Session, method: &str, uri: &str, body: Value) -> Res {
        self.send_as(
            Some(s),
            Request::builder()
                .method(method)
                .uri(uri)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    pub async fn get_by(&self, s: &Session, uri: &str) -> Res {
        self.send_as(Some(s), Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    /// A multipart form with text fields and one file (`file`), as someone.
    pub async fn multipart_by(
        &self,
        s: &Session,
        uri: &str,
        fields: &[(&str, &str)],
        filename: &str,
        bytes: &[u8],
    ) -> Res {
        let b = "hezuoBoundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend(format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
        }
        body.extend(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend(bytes);
        body.extend(format!("\r\n--{b}--\r\n").as_bytes());
        self.send_as(
            Some(s),
            Request::post(uri)
                .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={b}"))
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// Creates a record through the API and returns its id, failing the test on any error.
    pub async fn create(&self, plural: &str, body: Value) -> i64 {
        let r = self.post(&format!("/api/v1/{plural}"), body).await;
        assert_eq!(r.status, StatusCode::CREATED, "creating {plural}: {}", r.text());
        r.json()["id"].as_i64().unwrap()
    }

    /// A small world: the city, a county, a university with a college, an enterprise, a person.
    pub async fn seed(&self) -> World {
        let city = self
            .create(
                "organizations",
                serde_json::json!({"kind": "government", "name": "衢州市", "region_code": "330800"}),
            )
            .await;
        let county = self
            .create(
                "organizations",
                serde_json::json!({"kind": "government", "name": "江山市", "region_code": "330881", "parent_id": city}),
            )
            .await;
        let uni = self
            .create(
                "organizations",
                serde_json::json!({"kind": "university", "name": "浙江工业大学", "region_code": "330100"}),
            )
            .await;
        let college = self
            .create(
                "organizations",
                serde_json::json!({"kind": "college", "name": "化学工程学院", "parent_id": uni}),
            )
            .await;
        let enterprise = self
            .create(
                "organizations",
                serde_json::json!({"kind": "enterprise", "name": "衢州氟硅新材料有限公司", "region_code": "330802",
                    "credit_code": VALID_CREDIT_CODE, "industry_code": "C26"}),
            )
            .await;
        let person = self
            .create(
                "people",
                serde_json::json!({"organization_id": college, "name": "王建国", "is_expert": true,
                "discipline": "化学工程与技术", "keywords": "有机硅、氟化工"}),
            )
            .await;
        World {
            city,
            county,
            uni,
            college,
            enterprise,
            person,
        }
    }
}

/// 浙江大学's published unified social credit code: a real, valid one.
pub const VALID_CREDIT_CODE: &str = "12100000470095016Q";

pub struct World {
    pub city: i64,
    pub county: i64,
    pub uni: i64,
    pub college: i64,
    pub enterprise: i64,
    pub person: i64,
}

/// A valid unified social credit code for invented enterprise number `n` (in 江山市).
pub fn credit_code(n: u32) -> String {
    let first = format!("91330881MA2{n:06}");
    let check = hezuo_domain::codes::credit_check_char(&first).expect("valid characters");
    format!("{first}{check}")
}

/// Sends exactly the request given to `app`, from 127.0.0.1 unless it says otherwise.
async fn send_to(app: Router, mut req: Request<Body>) -> Res {
    if req.extensions().get::<ConnectInfo<SocketAddr>>().is_none() {
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    }
    let res = app.oneshot(req).await.expect("router answers");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Res { status, headers, bytes }
}
