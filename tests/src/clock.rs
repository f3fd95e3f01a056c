//! The site's calendar for fixtures, so that no test depends on the time of
//! day, the day of the week or a daylight-saving change.
//!
//! Every fixture reads the clock once ([`SiteClock::new`]) and computes its
//! days in the demo site's time zone from that one reading. Times on "today"
//! that are still ahead are moved back to just before now (never before the
//! day's start), so they are never refused as being in the future and still
//! fall on today at the site. `make test-clock` runs the time-sensitive
//! suites under libfaketime at several times of day and around
//! daylight-saving changes (`EDIARY_TEST_SITE_TZ=Europe/Berlin`).

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;
use server::{
    audit::AuditContext,
    demo,
    store::{Site, Store},
};

/// Set to an IANA zone to move the demo site there (for the daylight-saving
/// runs of `make test-clock`).
pub const SITE_TZ_VAR: &str = "EDIARY_TEST_SITE_TZ";

/// The demo site's time zone in this test run.
pub fn site_timezone() -> Tz {
    std::env::var(SITE_TZ_VAR)
        .ok()
        .and_then(|tz| tz.parse().ok())
        .unwrap_or(chrono_tz::Asia::Shanghai)
}

/// Seeds the demo study, then moves its site to [`site_timezone`] when the
/// run asks for another zone.
pub async fn seed_demo(store: &dyn Store) {
    demo::seed_study(store, &AuditContext::command_line())
        .await
        .expect("seed the demo study");
    let tz = site_timezone();
    let before = store
        .site_by_code(demo::SITE_CODE)
        .await
        .expect("read the demo site")
        .expect("the demo site");
    if before.timezone != tz.name() {
        let after = Site {
            timezone: tz.name().to_owned(),
            ..before.clone()
        };
        store
            .update_site(&before, &after, &AuditContext::command_line())
            .await
            .expect("move the demo site");
    }
}

/// One reading of the clock, seen from the demo site.
#[derive(Debug, Clone, Copy)]
pub struct SiteClock {
    pub now: DateTime<Utc>,
    pub tz: Tz,
}

impl Default for SiteClock {
    fn default() -> Self {
        Self::new()
    }
}

impl SiteClock {
    pub fn new() -> Self {
        Self {
            now: Utc::now(),
            tz: site_timezone(),
        }
    }

    /// Today at the site.
    pub fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.tz).date_naive()
    }

    /// The site's day `back` days before today.
    pub fn day(&self, back: i64) -> NaiveDate {
        self.today() - Duration::days(back)
    }

    /// The first instant of a day at the site (after a daylight-saving gap
    /// at midnight, the first that exists).
    pub fn start_of(&self, day: NaiveDate) -> DateTime<Utc> {
        self.local(day, NaiveTime::MIN)
    }

    /// `time` ("HH:MM") on the site's day `back` days before today, as a
    /// phone at the site writes it. On today, a time still ahead becomes a
    /// minute before now, but never earlier than today's start.
    pub fn at(&self, back: i64, time: &str) -> String {
        let wall = NaiveTime::parse_from_str(time, "%H:%M").expect("a time as HH:MM");
        let mut at = self.local(self.day(back), wall);
        if back == 0 && at > self.now - Duration::minutes(1) {
            at = (self.now - Duration::minutes(1)).max(self.start_of(self.today()));
        }
        self.rfc3339(at)
    }

    /// `minutes` before now, but never before today's start at the site: an
    /// entry that is "today" at any time of day.
    pub fn earlier_today(&self, minutes: i64) -> String {
        let at = (self.now - Duration::minutes(minutes)).max(self.start_of(self.today()));
        self.rfc3339(at)
    }

    /// An instant with the site's offset, as RFC 3339.
    pub fn rfc3339(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.tz)
            .fixed_offset()
            .to_rfc3339_opts(SecondsFormat::Secs, true)
    }

    /// A wall time on a day at the site: in a daylight-saving gap, the
    /// first instant after it; in an overlap, the earlier one.
    fn local(&self, day: NaiveDate, wall: NaiveTime) -> DateTime<Utc> {
        let naive = day.and_time(wall);
        for shift in 0..=4 {
            let shifted = naive + Duration::minutes(30 * shift);
            match self.tz.from_local_datetime(&shifted) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => {
                    return t.with_timezone(&Utc);
                }
                LocalResult::None => {}
            }
        }
        Utc.from_utc_datetime(&naive)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(utc: &str, tz: Tz) -> SiteClock {
        SiteClock {
            now: utc.parse().unwrap(),
            tz,
        }
    }

    #[test]
    fn today_is_the_sites_day_not_utcs() {
        let c = clock("2026-12-02T17:10:00Z", chrono_tz::Asia::Shanghai);
        assert_eq!(c.today().to_string(), "2026-12-03");
        assert_eq!(c.day(1).to_string(), "2026-12-02");
    }

    #[test]
    fn times_still_ahead_today_move_to_just_before_now() {
        // 01:10 at the site: 08:00 today has not come yet.
        let c = clock("2026-12-02T17:10:00Z", chrono_tz::Asia::Shanghai);
        assert_eq!(c.at(0, "08:00"), "2026-12-03T01:09:00+08:00");
        assert_eq!(c.at(1, "08:00"), "2026-12-02T08:00:00+08:00");
        // Thirty seconds after midnight: the day's start, not yesterday.
        let c = clock("2026-12-02T16:00:30Z", chrono_tz::Asia::Shanghai);
        assert_eq!(c.at(0, "08:00"), "2026-12-03T00:00:00+08:00");
        assert_eq!(c.earlier_today(5), "2026-12-03T00:00:00+08:00");
        // Past times today stay as they are.
        let c = clock("2026-12-02T06:00:00Z", chrono_tz::Asia::Shanghai);
        assert_eq!(c.at(0, "08:00"), "2026-12-02T08:00:00+08:00");
    }

    #[test]
    fn daylight_saving_gaps_and_overlaps() {
        let berlin = chrono_tz::Europe::Berlin;
        // The day after the spring change: 02:30 did not exist yesterday.
        let c = clock("2027-03-28T22:30:00Z", berlin);
        assert_eq!(c.today().to_string(), "2027-03-29");
        assert_eq!(c.at(1, "02:30"), "2027-03-28T03:00:00+02:00");
        assert_eq!(c.at(1, "08:00"), "2027-03-28T08:00:00+02:00");
        assert_eq!(c.at(2, "08:00"), "2027-03-27T08:00:00+01:00");
        // The autumn change: 02:30 happened twice; the first one counts.
        let c = clock("2027-11-01T00:30:00Z", berlin);
        assert_eq!(c.at(1, "02:30"), "2027-10-31T02:30:00+02:00");
    }
}
