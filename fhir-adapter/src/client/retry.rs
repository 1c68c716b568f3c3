//! Backoff with jitter and `Retry-After` parsing.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

use super::ClientConfig;

/// Whether a status is worth retrying: 429, 502, 503, 504.
pub(crate) fn retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// The wait before retry number `attempt` (0-based): `initial * 2^attempt`, capped at
/// `max_backoff`, minus a random jitter of up to half.
pub(crate) fn backoff(config: &ClientConfig, attempt: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempt.min(20));
    let full = config
        .initial_backoff
        .saturating_mul(factor)
        .min(config.max_backoff);
    Duration::try_from_secs_f64(full.as_secs_f64() * (1.0 - 0.5 * random_fraction()))
        .unwrap_or(full)
}

/// A number in `[0, 1)`, random enough for jitter (not for cryptography).
pub(crate) fn random_fraction() -> f64 {
    let bits = RandomState::new().hash_one(Instant::now()) >> 11;
    #[allow(clippy::cast_precision_loss, reason = "53 bits fit an f64 exactly")]
    let fraction = bits as f64 / (1u64 << 53) as f64;
    fraction
}

/// A random 128-bit hex string (for JWT `jti`): unique per call, from the process's hash keys.
pub(crate) fn random_id() -> String {
    let a = RandomState::new().hash_one(Instant::now());
    let b = RandomState::new().hash_one((a, std::process::id()));
    format!("{a:016x}{b:016x}")
}

/// The `Retry-After` header as a wait: seconds, or an HTTP-date (a date in the past is 0).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    let wait = date.signed_duration_since(chrono::Utc::now());
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// The wait before a retry: `Retry-After` when sent (capped), else the backoff.
pub(crate) fn wait_before_retry(
    config: &ClientConfig,
    headers: Option<&HeaderMap>,
    attempt: u32,
) -> Duration {
    headers.and_then(retry_after).map_or_else(
        || backoff(config, attempt),
        |d| d.min(config.max_retry_after),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let config = ClientConfig::default();
        for attempt in 0..4 {
            let d = backoff(&config, attempt);
            let full = Duration::from_millis(500 * 2u64.pow(attempt));
            assert!(d <= full && d >= full / 2, "{attempt}: {d:?}");
        }
        assert!(backoff(&config, 40) <= config.max_backoff);
        let huge = ClientConfig {
            initial_backoff: Duration::MAX,
            max_backoff: Duration::MAX,
            ..ClientConfig::default()
        };
        assert!(backoff(&huge, 3) >= Duration::MAX / 2, "no overflow panic");
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
        let later = (chrono::Utc::now() + chrono::TimeDelta::seconds(30)).to_rfc2822();
        h.insert(RETRY_AFTER, HeaderValue::from_str(&later).unwrap());
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(25) && d <= Duration::from_secs(30),
            "{d:?}"
        );
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn random_ids_differ() {
        assert_ne!(random_id(), random_id());
        assert_eq!(random_id().len(), 32);
    }
}
