//! The HTTP listener: hyper's connection builder with the timeouts `axum::serve` does not set, so a client
//! that sends nothing, or half a request head, or idles between keep-alive requests cannot hold a connection
//! (and a file descriptor) for ever. In-flight requests drain on shutdown.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// How long a connection may take to deliver a complete request head — the first one, or the next one on a
/// kept-alive connection — before it is closed.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub header: Duration,
}

/// How long shutdown waits for in-flight requests (each is bounded by `REQUEST_TIMEOUT_SECS` already).
const DRAIN: Duration = Duration::from_secs(35);

/// Serves `router` on `listener` until `shutdown` resolves, then drains open connections. HTTP/1.1 only:
/// browsers speak HTTP/2 only over TLS, which a proxy in front terminates (and hyper's HTTP/2 detection
/// would wait for a silent client's first bytes without any timeout).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    timeouts: Timeouts,
    shutdown: impl Future<Output = ()>,
) {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(timeouts.header);
    // Every connection task holds a receiver: `closed()` on the sender tells when all are done.
    let (stop, stopping) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (stream, addr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = tower::ServiceExt::map_request(
            router.clone(),
            move |mut req: hyper::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(addr));
                req
            },
        );
        let conn = builder
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
            .with_upgrades();
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            tokio::pin!(conn);
            let done = tokio::select! {
                done = conn.as_mut() => done,
                _ = stopping.changed() => {
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = done {
                tracing::debug!(error = %e, %addr, "connection closed with an error");
            }
        });
    }
    drop(listener);
    drop(stopping);
    let _ = stop.send(true);
    if tokio::time::timeout(DRAIN, stop.closed()).await.is_err() {
        tracing::warn!("connections still open after the drain period; closing them");
    }
}
