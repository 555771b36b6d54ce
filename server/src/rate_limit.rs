//! The API's rate limit: requests per minute per client address, per signed-in user, and (tighter) per address
//! for requests that carry no valid login — the login and token-refresh endpoints, and guessed tokens. Fixed
//! one-minute windows counted in Redis when `REDIS_URL` is set (every app node shares them), in this process
//! otherwise. If Redis is unreachable the node counts on its own rather than refusing everyone.

use domain::Problem;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// Requests allowed per minute.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub per_user: u32,
    pub per_address: u32,
    pub unauthenticated: u32,
}

/// What a request counts against.
#[derive(Clone, Copy, Debug)]
pub enum Key<'a> {
    Address(&'a str),
    User(uuid::Uuid),
    Unauthenticated(&'a str),
}

const WINDOW_SECS: u64 = 60;
/// Entries kept in memory before the finished windows are swept out.
const SWEEP_AT: usize = 50_000;

pub struct RateLimiter {
    limits: Limits,
    redis: Option<(redis::aio::ConnectionManager, String)>,
    local: Mutex<HashMap<String, (u64, u32)>>,
}

impl RateLimiter {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            redis: None,
            local: Mutex::new(HashMap::new()),
        }
    }

    /// Counts in Redis under `prefix` (the database name keeps test runs and deployments apart).
    pub async fn redis(limits: Limits, url: &str, prefix: String) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)?;
        let conn = redis::aio::ConnectionManager::new(client).await?;
        Ok(Self {
            redis: Some((conn, prefix)),
            ..Self::new(limits)
        })
    }

    /// Counts one request against `key`: `Err` with a 429 problem (and its `Retry-After`) past the limit.
    pub async fn check(&self, key: Key<'_>) -> Result<(), Problem> {
        let (name, limit) = match key {
            Key::Address(a) => (format!("a:{a}"), self.limits.per_address),
            Key::User(u) => (format!("u:{u}"), self.limits.per_user),
            Key::Unauthenticated(a) => (format!("n:{a}"), self.limits.unauthenticated),
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let window = now / WINDOW_SECS;
        let count = match self.count_in_redis(&name, window).await {
            Some(n) => n,
            None => self.count_here(name, window),
        };
        if count > u64::from(limit) {
            let retry = (window + 1) * WINDOW_SECS - now;
            let mut p = Problem::rate_limited(retry.max(1));
            p.detail = format!(
                "Too many requests: at most {limit} a minute are answered; try again in {} seconds.",
                retry.max(1)
            );
            return Err(p);
        }
        Ok(())
    }

    async fn count_in_redis(&self, name: &str, window: u64) -> Option<u64> {
        let (conn, prefix) = self.redis.as_ref()?;
        let key = format!("{prefix}rl:{name}:{window}");
        let mut conn = conn.clone();
        let counted: redis::RedisResult<(u64,)> = redis::pipe()
            .atomic()
            .incr(&key, 1)
            .expire(&key, (WINDOW_SECS + 5) as i64)
            .ignore()
            .query_async(&mut conn)
            .await;
        match counted {
            Ok((n,)) => Some(n),
            Err(error) => {
                tracing::warn!(%error, "rate limit: redis unavailable, counting on this node");
                None
            }
        }
    }

    fn count_here(&self, name: String, window: u64) -> u64 {
        let mut map = self
            .local
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= SWEEP_AT {
            map.retain(|_, (w, _)| *w == window);
        }
        let entry = map.entry(name).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        u64::from(entry.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_key_has_its_own_budget() {
        let limiter = RateLimiter::new(Limits {
            per_user: 3,
            per_address: 5,
            unauthenticated: 1,
        });
        let user = uuid::Uuid::now_v7();
        for _ in 0..3 {
            assert!(limiter.check(Key::User(user)).await.is_ok());
        }
        let refused = limiter.check(Key::User(user)).await.unwrap_err();
        assert_eq!(refused.status, 429);
        assert!(refused.retry_after.is_some_and(|s| (1..=60).contains(&s)));
        assert!(limiter.check(Key::User(uuid::Uuid::now_v7())).await.is_ok());
        assert!(
            limiter
                .check(Key::Unauthenticated("10.0.0.1"))
                .await
                .is_ok()
        );
        assert!(
            limiter
                .check(Key::Unauthenticated("10.0.0.1"))
                .await
                .is_err()
        );
        // The address budget is separate from the unauthenticated one.
        assert!(limiter.check(Key::Address("10.0.0.1")).await.is_ok());
    }
}
