//! Matching and search's own threads (issues 19 and 20): a small fixed set of OS threads fed by a
//! bounded queue, each job answered through a oneshot. Only the engine's CPU work runs here; what a
//! handler reads from the database before and after stays on the async runtime. Tokio's shared
//! blocking pool, where these jobs ran before, also takes file reads, exports and index writes and
//! grows a thread per waiting job, so a search there waited behind all of them (27 ms p99 with other
//! work on the machine against the engine's 1 ms). A full queue is refused at once ([`Busy`], a 503
//! with `Retry-After` in the web crate): the runtime never waits for a thread.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

/// Threads by default (`hezuo serve --engine-threads`).
pub const DEFAULT_THREADS: usize = 2;
/// Jobs that may wait for a thread by default (`hezuo serve --engine-queue`).
pub const DEFAULT_QUEUE: usize = 64;

type Job = Box<dyn FnOnce() + Send>;

/// The pool's handle; clones share the threads, which end once every handle is dropped.
#[derive(Clone)]
pub struct EnginePool {
    tx: SyncSender<Job>,
    /// The threads' end of the queue (kept here too, so a pool of no threads refuses as full).
    _rx: Arc<Mutex<Receiver<Job>>>,
    threads: usize,
    queue: usize,
}

/// The queue is full: every thread is busy and `queue` jobs already wait.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("检索与匹配繁忙：排队的请求已满，请稍后再试")]
pub struct Busy;

impl Busy {
    /// What the user reads (with `Retry-After: 1`).
    pub fn words() -> hezuo_domain::Msg {
        hezuo_domain::Msg::new(
            "检索与匹配繁忙：排队的请求已满，请 1 秒后再试",
            "Search and matching are busy (their queue is full): try again in 1 s",
        )
    }
}

impl EnginePool {
    /// `threads` threads named `hezuo-engine-N`, and room for `queue` waiting jobs. With no threads
    /// and no room, every job is refused (what tests use to see the refusal).
    pub fn new(threads: usize, queue: usize) -> std::io::Result<EnginePool> {
        let (tx, rx) = sync_channel::<Job>(queue);
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("hezuo-engine-{i}"))
                .spawn(move || {
                    loop {
                        // One thread waits on the queue, the others on the lock: a job goes to the
                        // first free thread.
                        let job = match rx.lock().unwrap_or_else(|e| e.into_inner()).recv() {
                            Ok(job) => job,
                            Err(_) => return,
                        };
                        // A panicking job loses its answer (the caller sees an error), not the thread.
                        let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
                    }
                })?;
        }
        Ok(EnginePool {
            tx,
            _rx: rx,
            threads,
            queue,
        })
    }

    pub fn threads(&self) -> usize {
        self.threads
    }

    pub fn queue(&self) -> usize {
        self.queue
    }

    /// Runs `f` on one of the pool's threads and waits (asynchronously) for its answer; refused
    /// at once with [`Busy`] when the queue is full.
    pub async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> crate::Result<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        match self.tx.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(crate::Error::Busy(Busy)),
            Err(TrySendError::Disconnected(_)) => {
                return Err(crate::Error::Internal("the engine's threads have ended".into()));
            }
        }
        rx.await
            .map_err(|_| crate::Error::Internal("a matching or search job panicked".into()))
    }
}

impl Default for EnginePool {
    fn default() -> Self {
        EnginePool::new(DEFAULT_THREADS, DEFAULT_QUEUE).expect("the engine's threads start")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_and_refuses_when_full() {
        let pool = EnginePool::new(2, 4).unwrap();
        let sum = pool.run(|| (1..=10).sum::<i32>()).await.unwrap();
        assert_eq!(sum, 55);
        let none = EnginePool::new(0, 0).unwrap();
        assert!(matches!(none.run(|| 1).await, Err(crate::Error::Busy(_))));
        let boom = pool.run(|| -> i32 { panic!("boom") }).await;
        assert!(matches!(boom, Err(crate::Error::Internal(_))));
        // The thread survived its job's panic.
        assert_eq!(pool.run(|| 2).await.unwrap(), 2);
    }
}
