//! The delivery worker: claims due messages from the outbox, sends each over SMTP with the
//! Message-ID made at enqueue, and records the outcome — sent; due again after a backoff; or
//! failed for good (a permanent refusal, or the last attempt) with the error. `portico serve`
//! runs one per instance when SMTP is configured; any number of instances may share a
//! database, as claims never overlap (see `Tx::claim_mail`).
//!
//! Delivery is at least once. A message is sent twice only if an instance dies (or loses the
//! database) after the SMTP server accepted it and before `sent` was written: its lease runs
//! out and another attempt sends it again, with the same Message-ID, so mail clients can tell.

use crate::{Context, Result};
use portico_domain::outbox::MailState;
use portico_mail::{Mailer, Outgoing};
use std::time::Duration;

/// What one worker round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryRound {
    pub claimed: usize,
    pub sent: usize,
    /// Failed attempts that will be tried again.
    pub retried: usize,
    /// Messages that failed for good.
    pub failed: usize,
    /// Claims that ran out before the outcome was written (another worker has the message).
    pub lost: usize,
}

/// How a worker polls.
#[derive(Debug, Clone, Copy)]
pub struct WorkerOptions {
    /// Messages claimed at once. Sent one after the other, they must all fit in the lease even
    /// when every send takes its whole timeout; [`WorkerOptions::batch_within`] caps it.
    pub batch: i64,
    /// How long to wait between rounds when nothing was due (a commit on this instance wakes
    /// the worker at once).
    pub poll: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            batch: 10,
            poll: Duration::from_secs(5),
        }
    }
}

impl WorkerOptions {
    /// The batch, made small enough that `batch` sends at their timeout end within half the
    /// lease, so no claimed message outlives its lease while it waits its turn.
    pub fn batch_within(&self, lease_ms: i64) -> i64 {
        let timeout_ms = i64::try_from(portico_mail::SEND_TIMEOUT.as_millis()).unwrap_or(i64::MAX);
        self.batch
            .clamp(1, (lease_ms / 2 / timeout_ms.max(1)).max(1))
    }
}

/// One round: claims up to `batch` due messages and tries each once.
pub async fn deliver_due(ctx: &Context, mailer: &Mailer, batch: i64) -> Result<DeliveryRound> {
    let rule = ctx.settings().delivery;
    let store = ctx.store();
    let claimed = store.claim_mail(&rule, ctx.now(), batch).await?;
    let mut round = DeliveryRound {
        claimed: claimed.len(),
        ..DeliveryRound::default()
    };
    for m in &claimed {
        let s = &m.summary;
        let outgoing = Outgoing {
            to: &s.recipient,
            subject: &s.subject,
            text: &m.text,
            html: &m.html,
            message_id: &s.message_id,
            language: &s.language,
        };
        match mailer.send(&outgoing).await {
            Ok(()) => {
                if store.mark_mail_sent(s.id, s.attempts, ctx.now()).await? {
                    round.sent += 1;
                } else {
                    round.lost += 1;
                    tracing::warn!(mail_id = s.id, "sent after its lease ran out");
                }
            }
            Err(e) => {
                let now = ctx.now();
                let state = store
                    .mark_mail_failed(s.id, s.attempts, &e.message, e.permanent, &rule, now)
                    .await?;
                match state {
                    Some(MailState::Failed) => {
                        round.failed += 1;
                        tracing::warn!(mail_id = s.id, attempts = s.attempts, error = %e, "email failed for good");
                    }
                    Some(_) => {
                        round.retried += 1;
                        tracing::info!(mail_id = s.id, attempts = s.attempts, error = %e, "email will be retried");
                    }
                    None => round.lost += 1,
                }
            }
        }
    }
    Ok(round)
}

/// The worker: rounds until the task is dropped. A full round goes on at once (more may be
/// due); otherwise it waits for a commit on this instance or the poll interval. A database
/// failure is logged and waited out.
pub async fn run_worker(ctx: &Context, mailer: &Mailer, options: WorkerOptions) {
    let batch = options.batch_within(ctx.settings().delivery.lease_ms);
    loop {
        match deliver_due(ctx, mailer, batch).await {
            Ok(round) if i64::try_from(round.claimed).unwrap_or(0) >= batch => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e.detail(), "email delivery round failed"),
        }
        tokio::select! {
            () = ctx.mail_waiting().notified() => {}
            () = tokio::time::sleep(options.poll) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_fits_in_half_the_lease() {
        let o = WorkerOptions::default();
        assert_eq!(o.batch_within(10 * 60_000), 10);
        assert_eq!(o.batch_within(60_000), 1);
        let big = WorkerOptions { batch: 500, ..o };
        assert_eq!(big.batch_within(10 * 60_000), 10);
    }
}
