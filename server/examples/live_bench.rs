//! Live-event benchmark (numbers, not a test): commit → socket latency with N connected sockets, and the server's
//! memory per idle socket. Run by `scripts/bench-live.sh`, against a served `crm-ims` with demo data:
//!
//!     live_bench BASE_URL SERVER_PID SOCKETS EVENTS
//!
//! It signs in as the demo inventory user, opens SOCKETS WebSockets (all of that user, so every socket receives
//! every event), reads the server's resident memory before and after, then makes EVENTS allocations one after
//! another. For each it takes the time from the allocation's 201 (the commit) to the event's arrival on the
//! first socket and on the last of all sockets, and prints p50/p99 of both.

use futures::StreamExt;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, base, pid, sockets, events] = args.as_slice() else {
        anyhow::bail!("usage: live_bench BASE_URL SERVER_PID SOCKETS EVENTS");
    };
    let (pid, sockets, events): (u32, usize, usize) =
        (pid.parse()?, sockets.parse()?, events.parse()?);
    let http = reqwest::Client::new();
    let login: serde_json::Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "inventory@example.com", "password": "crm-ims-demo"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = login["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let me: serde_json::Value = http
        .get(format!("{base}/api/v1/users/me"))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    let sku = format!("BENCH-LIVE-{}", uuid::Uuid::now_v7().simple());
    let asset: serde_json::Value = http
        .post(format!("{base}/api/v1/assets"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"sku": sku, "name": "Live bench", "kind": "software", "total_quantity": 1_000_000}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let allocate = format!(
        "{base}/api/v1/assets/{}/allocate",
        asset["id"].as_str().unwrap_or_default()
    );

    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = rss_kib(pid);
    let ws = base.replace("http://", "ws://");
    let (tx, mut rx) = mpsc::unbounded_channel::<(usize, i64, Instant)>();
    let started = Instant::now();
    let mut opened = 0;
    for i in 0..sockets {
        let url = format!("{ws}/api/v1/ws?access_token={token}");
        let (mut socket, _) = match tokio_tungstenite::connect_async(url).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("socket {i}: {e} (raise `ulimit -n`?)");
                break;
            }
        };
        opened += 1;
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Some(Ok(msg)) = socket.next().await {
                if let Message::Text(t) = msg {
                    let at = Instant::now();
                    let v: serde_json::Value = serde_json::from_str(&t).unwrap_or_default();
                    if v["type"] == "asset.allocated" {
                        let q = v["data"]["quantity"].as_i64().unwrap_or(0);
                        if tx.send((i, q, at)).is_err() {
                            break;
                        }
                    }
                }
            }
        });
    }
    let connect_time = started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_kib(pid);
    println!(
        "sockets: {opened} opened in {}; server RSS {} MiB -> {} MiB ({:.1} KiB per idle socket)",
        ms(connect_time),
        before / 1024,
        after / 1024,
        if opened > 0 {
            after.saturating_sub(before) as f64 / opened as f64
        } else {
            0.0
        }
    );

    let mut first = Vec::new();
    let mut last = Vec::new();
    for n in 0..events {
        // Each event is told apart by its quantity (1, 2, 3, … modulo 1000).
        let quantity = (n % 1000 + 1) as i64;
        let res = http
            .post(&allocate)
            .bearer_auth(&token)
            .json(&serde_json::json!({"quantity": quantity, "user_id": me["id"]}))
            .send()
            .await?;
        let committed = Instant::now();
        anyhow::ensure!(res.status() == 201, "allocation answered {}", res.status());
        let mut got = 0;
        let mut first_at = None;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while got < opened {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some((_, q, at))) if q == quantity => {
                    got += 1;
                    first_at.get_or_insert(at);
                    if got == opened {
                        last.push(at.saturating_duration_since(committed));
                    }
                }
                Ok(Some(_)) => {}
                _ => {
                    eprintln!("event {n}: {got} of {opened} sockets within 10 s");
                    break;
                }
            }
        }
        if let Some(at) = first_at {
            first.push(at.saturating_duration_since(committed));
        }
    }
    first.sort();
    last.sort();
    println!(
        "{events} events, {opened} sockets: commit -> first socket p50 {} p99 {}; -> all sockets p50 {} p99 {}",
        ms(percentile(&first, 0.5)),
        ms(percentile(&first, 0.99)),
        ms(percentile(&last, 0.5)),
        ms(percentile(&last, 0.99)),
    );
    Ok(())
}
