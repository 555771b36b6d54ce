//! The loop shared by the background workers (job queue, outbox dispatcher): run a batch, go again at once
//! while batches come back full, otherwise sleep `every`; stop when `stop` turns true or its sender is dropped.

use super::Result;
use std::future::Future;
use std::time::Duration;
use tokio::sync::watch;

pub async fn until_stopped<F, Fut>(
    name: &str,
    every: Duration,
    batch: i64,
    mut stop: watch::Receiver<bool>,
    mut run_batch: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<usize>>,
{
    loop {
        if *stop.borrow() {
            break;
        }
        let busy = match run_batch().await {
            Ok(n) => n as i64 == batch,
            Err(e) => {
                tracing::warn!(error = %e, "{name}: a batch failed");
                false
            }
        };
        if busy {
            continue;
        }
        tokio::select! {
            changed = stop.changed() => if changed.is_err() { break },
            () = tokio::time::sleep(every) => {}
        }
    }
    tracing::info!("{name} stopped");
}
