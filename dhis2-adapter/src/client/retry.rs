//! Backoff with jitter and `Retry-After` reading.

use std::time::Duration;

use rand::RngExt;

use super::settings::RetryPolicy;

/// HTTP statuses worth retrying: too many requests, bad gateway, unavailable, gateway timeout.
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// The wait before the next attempt, after `attempt` (1-based) failed.
///
/// A `Retry-After` value wins (capped at `max_retry_after`); otherwise
/// exponential backoff with jitter in the upper half of the step.
pub(crate) fn delay(policy: &RetryPolicy, attempt: u32, retry_after: Option<Duration>) -> Duration {
    if let Some(wait) = retry_after {
        return wait.min(policy.max_retry_after);
    }
    let factor = 2_u32.saturating_pow(attempt.saturating_sub(1));
    let step = policy
        .initial_backoff
        .saturating_mul(factor)
        .min(policy.max_backoff);
    let half = step / 2;
    let jitter_ms = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
    half + Duration::from_millis(rand::rng().random_range(0..=jitter_ms))
}

/// Reads a `Retry-After` header: whole seconds, or an HTTP date (RFC 7231 IMF-fixdate).
pub(crate) fn parse_retry_after(text: &str) -> Option<Duration> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    let wait = date.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_caps() {
        let policy = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(300),
            ..RetryPolicy::default()
        };
        for _ in 0..20 {
            let first = delay(&policy, 1, None);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = delay(&policy, 3, None);
            assert!(third >= Duration::from_millis(150) && third <= Duration::from_millis(300));
        }
        assert!(delay(&policy, 40, None) <= Duration::from_millis(300));
        let asked = delay(&policy, 1, Some(Duration::from_secs(7)));
        assert_eq!(asked, Duration::from_secs(7));
        let capped = delay(&policy, 1, Some(Duration::from_secs(7_000)));
        assert_eq!(capped, policy.max_retry_after);
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
        assert!(is_retryable_status(503) && !is_retryable_status(500));
    }
}
