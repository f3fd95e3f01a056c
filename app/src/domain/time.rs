//! Calendar days in a site's time zone: where a site's day begins and which
//! day a moment falls on. Server-only (`ssr`): the time zone database would
//! add to the WASM bundles, and the phone works in its own clock.
//!
//! An unknown zone counts as UTC everywhere here; sites are checked when
//! they are made.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};

/// Midnight at the start of the enrolment day in the site's time zone (an
/// unknown zone counts as UTC; sites are checked when they are made).
pub fn enrolment_day_start(enrolled_at: DateTime<Utc>, timezone: &str) -> DateTime<Utc> {
    let day = match timezone.parse::<chrono_tz::Tz>() {
        Ok(tz) => enrolled_at.with_timezone(&tz).date_naive(),
        Err(_) => enrolled_at.date_naive(),
    };
    day_start(day, timezone)
}

/// Midnight at the start of a local day in the site's time zone (an unknown
/// zone counts as UTC).
pub fn day_start(day: NaiveDate, timezone: &str) -> DateTime<Utc> {
    let midnight = day.and_time(NaiveTime::MIN);
    let Ok(tz) = timezone.parse::<chrono_tz::Tz>() else {
        return midnight.and_utc();
    };
    // A zone may skip midnight (a DST change): take the earliest valid time.
    (0..24 * 60)
        .find_map(|m| {
            let t = midnight + chrono::Duration::minutes(m);
            tz.from_local_datetime(&t).earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| midnight.and_utc())
}

/// The site's calendar day of a moment (an unknown zone counts as UTC).
pub fn local_day(at: DateTime<FixedOffset>, timezone: &str) -> NaiveDate {
    match timezone.parse::<chrono_tz::Tz>() {
        Ok(tz) => at.with_timezone(&tz).date_naive(),
        Err(_) => at.with_timezone(&Utc).date_naive(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enrolment_day_starts_at_local_midnight() {
        let enrolled = Utc.with_ymd_and_hms(2026, 11, 1, 17, 30, 0).unwrap();
        // 01:30 on 2 November in Shanghai: the day began at 16:00 UTC on 1 November.
        assert_eq!(
            enrolment_day_start(enrolled, "Asia/Shanghai"),
            Utc.with_ymd_and_hms(2026, 11, 1, 16, 0, 0).unwrap()
        );
        assert_eq!(
            enrolment_day_start(enrolled, "UTC"),
            Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
        );
        // Havana skips midnight on its spring DST day.
        let havana = Utc.with_ymd_and_hms(2026, 3, 8, 12, 0, 0).unwrap();
        let start = enrolment_day_start(havana, "America/Havana");
        assert!(start <= havana && havana - start < chrono::Duration::hours(24));
    }
}
