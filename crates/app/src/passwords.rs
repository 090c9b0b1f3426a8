//! Password hashing and verification off the async threads, on a fixed set of threads that
//! each keep their Argon2 working memory (19 MiB) for good.
//!
//! Two things go wrong without it. Argon2 allocates and frees its memory on every call, and
//! the C allocator keeps freed blocks of that size in per-thread arenas: measured with
//! `bench/src/sign_in_flood.rs`, thirty sequential sign-ins grew the server from 31 to 480 MB,
//! never returned. And the async runtime's blocking pool grows to hundreds of threads under a
//! burst of sign-ins, each with its own 19 MiB. Here memory is bounded by the thread count, and
//! a burst beyond the bounded queue is answered `503 busy` instead of piling up.

use crate::{AppError, Result};
use portico_auth::PasswordMemory;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};

type Job = Box<dyn FnOnce(&mut PasswordMemory) + Send>;

/// How many password checks may wait for a thread before new ones are answered `busy`.
pub const QUEUE: usize = 256;

pub struct PasswordWorkers {
    jobs: SyncSender<Job>,
}

impl PasswordWorkers {
    /// `threads` threads (at least one) sharing a queue of `queue` waiting jobs. The threads
    /// end when the workers are dropped.
    pub fn new(threads: usize, queue: usize) -> Self {
        let (jobs, waiting) = sync_channel::<Job>(queue);
        let waiting = Arc::new(Mutex::new(waiting));
        for i in 0..threads.max(1) {
            let waiting = Arc::clone(&waiting);
            let spawned = std::thread::Builder::new()
                .name(format!("portico-password-{i}"))
                .spawn(move || work(&waiting));
            if let Err(e) = spawned {
                // Fewer threads still work; with none the queue is closed and every check
                // answers an internal error instead of waiting for ever.
                tracing::error!(error = %e, "could not start a password thread");
            }
        }
        Self { jobs }
    }

    /// One thread per core, at most four.
    pub fn standard() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self::new(cores.min(4), QUEUE)
    }

    /// Runs `work` on a password thread with that thread's memory and answers its result.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut PasswordMemory) -> T + Send + 'static,
    ) -> Result<T> {
        let (answer, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |memory| {
            let _ = answer.send(work(memory));
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(AppError::Busy),
            Err(TrySendError::Disconnected(_)) => {
                return Err(AppError::Internal("no password thread is running".into()));
            }
        }
        result
            .await
            .map_err(|_| AppError::Internal("a password check failed".into()))
    }
}

fn work(waiting: &Mutex<Receiver<Job>>) {
    let mut memory = PasswordMemory::new();
    loop {
        // The lock is held only while waiting for the next job, never while running one.
        let job = waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .recv();
        let Ok(job) = job else {
            return;
        };
        // A panic drops the job's answer (its caller gets an internal error); the thread and
        // its memory carry on.
        let _ = catch_unwind(AssertUnwindSafe(|| job(&mut memory)));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[tokio::test]
    async fn runs_jobs_and_answers_busy_when_the_queue_is_full() {
        let workers = Arc::new(PasswordWorkers::new(1, 1));
        assert_eq!(workers.run(|_| 41 + 1).await.unwrap(), 42);
        // Hold the only thread, put one job in the only queue slot, and the next is refused.
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let (started, running) = tokio::sync::oneshot::channel();
        let w = Arc::clone(&workers);
        let first = tokio::spawn(async move {
            w.run(move |_| {
                let _ = started.send(());
                let _ = hold.recv();
            })
            .await
        });
        running.await.unwrap();
        let w = Arc::clone(&workers);
        let second = tokio::spawn(async move { w.run(|_| 2).await });
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert!(matches!(workers.run(|_| ()).await, Err(AppError::Busy)));
        release.send(()).unwrap();
        first.await.unwrap().unwrap();
        assert_eq!(second.await.unwrap().unwrap(), 2, "the queued job runs");
    }

    #[tokio::test]
    async fn a_panicking_job_is_an_error_and_the_thread_goes_on() {
        let workers = PasswordWorkers::new(1, 4);
        let r = workers.run(|_| -> u8 { panic!("boom") }).await;
        assert!(matches!(r, Err(AppError::Internal(_))), "{r:?}");
        assert_eq!(workers.run(|_| 7).await.unwrap(), 7);
    }
}
