//! Sign-in throttling, per account and per client address: a pure decision
//! over the times of recent failures.

/// Failures older than this are forgotten.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// At most this many failures in the window, then wait.
pub const LIMIT: usize = 10;
/// From this many failures on, each further attempt waits twice as long.
const BACKOFF_FROM: usize = 5;

/// How many seconds to wait before the next attempt, if any, given the
/// failures of the window and the attempts being checked right now. The
/// wait grows with the failures but never outlasts the window: nobody is
/// locked out for good. Attempts in flight count towards the limit (so a
/// parallel burst gets no more checks than the limit) but not towards the
/// back-off, which follows failures only: a few people signing in at once
/// from one address wait a second at most.
pub fn retry_after(failures_ms: &[i64], pending: usize, now_ms: i64) -> Option<u64> {
    if let Some(wait) = after_failures(failures_ms, now_ms) {
        return Some(wait);
    }
    let recent = failures_ms
        .iter()
        .filter(|&&t| t > now_ms - WINDOW_MS)
        .count();
    (recent + pending >= LIMIT).then_some(1)
}

fn after_failures(failures_ms: &[i64], now_ms: i64) -> Option<u64> {
    let mut recent: Vec<i64> = failures_ms
        .iter()
        .copied()
        .filter(|&t| t > now_ms - WINDOW_MS)
        .collect();
    recent.sort_unstable();
    let wait_until = if recent.len() >= LIMIT {
        // Until the oldest failure that keeps the count at the limit leaves the window.
        recent[recent.len() - LIMIT] + WINDOW_MS
    } else if recent.len() >= BACKOFF_FROM {
        let last = recent.iter().copied().max().unwrap_or(now_ms);
        let exponent = u32::try_from(recent.len() - BACKOFF_FROM + 1).unwrap_or(u32::MAX);
        last + 1000 * 2_i64.saturating_pow(exponent)
    } else {
        return None;
    };
    (wait_until > now_ms).then(|| u64::try_from((wait_until - now_ms + 999) / 1000).unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    fn failures(ages_s: &[i64]) -> Vec<i64> {
        ages_s.iter().map(|age| NOW - age * 1000).collect()
    }

    #[test]
    fn cases() {
        let cases: [(&[i64], Option<u64>); 7] = [
            (&[], None),
            (&[1, 2, 3, 4], None),
            // Five failures, the last one second ago: wait 2 s in all, 1 s more.
            (&[1, 2, 3, 4, 5], Some(1)),
            (&[10, 20, 30, 40, 50], None),
            // Nine failures, the last one second ago: 2^5 = 32 s after it.
            (&[1, 2, 3, 4, 5, 6, 7, 8, 9], Some(31)),
            // Ten failures in the window: until the oldest leaves it.
            (
                &[100, 200, 300, 400, 500, 600, 700, 800, 850, 890],
                Some(10),
            ),
            // Old failures do not count.
            (
                &[1000, 1100, 1200, 1300, 1400, 1500, 1600, 1700, 1800, 1900],
                None,
            ),
        ];
        for (ages, expected) in cases {
            assert_eq!(retry_after(&failures(ages), 0, NOW), expected, "{ages:?}");
        }
    }

    #[test]
    fn attempts_in_flight_count_towards_the_limit_only() {
        let cases: [(&[i64], usize, Option<u64>); 5] = [
            (&[], 9, None),
            (&[], 10, Some(1)),
            (&[100, 200, 300], 7, Some(1)),
            (&[100, 200, 300], 6, None),
            // The back-off follows failures, whatever is in flight.
            (&[1, 2, 3, 4, 5], 0, Some(1)),
        ];
        for (ages, pending, expected) in cases {
            assert_eq!(
                retry_after(&failures(ages), pending, NOW),
                expected,
                "{ages:?} {pending}"
            );
        }
    }

    #[test]
    fn never_longer_than_the_window() {
        let many: Vec<i64> = (0..500).map(|i| NOW - i * 10).collect();
        let wait = retry_after(&many, 0, NOW).unwrap();
        assert!(wait <= (WINDOW_MS / 1000) as u64, "{wait}");
    }
}
