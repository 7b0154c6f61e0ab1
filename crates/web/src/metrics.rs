//! What `/metrics` reports, in the OpenMetrics text format (which Prometheus reads): requests by
//! route and status, their latency, the database pool's use, how long writers waited for the write
//! lock, how far the search index lags behind the records, and the reminders sent. The registry and
//! the layer that counts requests live here; the route (office only) is in `lib.rs`, which reads the
//! store and the index into a `Reading`.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

/// What the store and the index say at a scrape.
pub struct Reading {
    /// Connections open, and of those idle.
    pub pool: (u32, usize),
    /// Changes committed that this server's index has not followed yet.
    pub index_lag: i64,
    /// Reminders sent in the app, and by email, by every server.
    pub reminders: (i64, i64),
    pub lock_waits: hezuo_store::stats::WaitReading,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LatencyLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: &'static str,
}

/// The server's metrics: what requests record as they pass, and what `/metrics` reads when asked.
pub struct Metrics {
    registry: Registry,
    requests: Family<RouteLabels, Counter>,
    latency: Family<LatencyLabels, Histogram>,
    pool: Family<PoolLabels, Gauge>,
    index_lag: Gauge,
    reminders: Counter<u64, AtomicU64>,
    reminders_emailed: Counter<u64, AtomicU64>,
    lock_waits: LockWaitCollector,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

/// The store's write-lock waits, read at each scrape.
#[derive(Debug, Clone, Default)]
struct LockWaitCollector(std::sync::Arc<std::sync::Mutex<Option<hezuo_store::stats::WaitReading>>>);

impl prometheus_client::collector::Collector for LockWaitCollector {
    fn encode(&self, mut encoder: prometheus_client::encoding::DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let Some(r) = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone() else {
            return Ok(());
        };
        let mut m = encoder.encode_descriptor(
            "hezuo_db_write_lock_wait_seconds",
            "How long write transactions waited to begin (SQLite: the write lock; PostgreSQL: a connection)",
            None,
            prometheus_client::metrics::MetricType::Histogram,
        )?;
        m.encode_histogram::<prometheus_client::encoding::NoLabelSet>(r.sum_seconds, r.count, &r.buckets, None)
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::<RouteLabels, Counter>::default();
        registry.register(
            "hezuo_http_requests",
            "Requests answered, by route, method and status",
            requests.clone(),
        );
        let latency = Family::<LatencyLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.0, 16))
        });
        registry.register(
            "hezuo_http_request_duration_seconds",
            "Time to answer a request, by route and method",
            latency.clone(),
        );
        let pool = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "hezuo_db_pool_connections",
            "Database connections open, by state (idle, in use)",
            pool.clone(),
        );
        let index_lag = Gauge::default();
        registry.register(
            "hezuo_search_index_lag",
            "Changes committed to the records that this server's search index has not followed yet",
            index_lag.clone(),
        );
        let reminders = Counter::<u64, AtomicU64>::default();
        registry.register(
            "hezuo_reminders_sent",
            "Reminders sent in the app, by every server",
            reminders.clone(),
        );
        let reminders_emailed = Counter::<u64, AtomicU64>::default();
        registry.register(
            "hezuo_reminders_emailed",
            "Reminders also sent by email, by every server",
            reminders_emailed.clone(),
        );
        let lock_waits = LockWaitCollector::default();
        registry.register_collector(Box::new(lock_waits.clone()));
        Metrics {
            registry,
            requests,
            latency,
            pool,
            index_lag,
            reminders,
            reminders_emailed,
            lock_waits,
        }
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let (method, route) = (method.to_string(), route.to_string());
        self.latency
            .get_or_create(&LatencyLabels {
                method: method.clone(),
                route: route.clone(),
            })
            .observe(seconds);
        self.requests
            .get_or_create(&RouteLabels { method, route, status })
            .inc();
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// Records every request's route (the path as routed, `/api/v1/projects/{id}`), status and time.
pub async fn track(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let res = next.run(req).await;
    metrics.observe(&method, &route, res.status().as_u16(), started.elapsed().as_secs_f64());
    res
}

impl Metrics {
    /// The text a scrape answers, with the gauges set from `r`.
    pub fn encode(&self, r: Reading) -> Result<String, std::fmt::Error> {
        let (open, idle) = r.pool;
        self.pool.get_or_create(&PoolLabels { state: "idle" }).set(idle as i64);
        self.pool
            .get_or_create(&PoolLabels { state: "in_use" })
            .set(i64::from(open) - idle as i64);
        self.index_lag.set(r.index_lag.max(0));
        // Counters only go up: they follow the store's totals.
        let (sent, emailed) = r.reminders;
        self.reminders
            .inc_by((sent as u64).saturating_sub(self.reminders.get()));
        self.reminders_emailed
            .inc_by((emailed as u64).saturating_sub(self.reminders_emailed.get()));
        *self.lock_waits.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(r.lock_waits);
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}
