//! Numbers, dates and times as each language writes them. Both languages
//! use Arabic digits and a decimal point; they differ in how dates and
//! times read ("Wed 25 Nov" against "11月25日 周三").

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

use crate::domain::language::Language;

/// `value` with exactly `decimals` decimals ("4.50"), never "-0": a sum or
/// a rounding that lands on zero reads as zero.
pub fn fixed(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "–".to_owned();
    }
    let text = format!("{value:.decimals$}");
    match text.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_owned(),
        _ => text,
    }
}

/// `value` with at most `decimals` decimals and no trailing zeros ("4.5",
/// "10"), never "-0".
pub fn number(value: f64, decimals: usize) -> String {
    let text = fixed(value, decimals);
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// A share (0.0 to 1.0) as a whole percent ("42 %"); the French-style space
/// keeps the number and sign apart in both languages.
pub fn percent(share: f64) -> String {
    format!("{} %", fixed(share * 100.0, 0))
}

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const WEEKDAYS_ZH: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];

/// A calendar date: "3 Dec 2026", "2026年12月3日".
pub fn date(language: Language, date: NaiveDate) -> String {
    match language {
        Language::En => format!(
            "{} {} {}",
            date.day(),
            MONTHS_EN[date.month0() as usize],
            date.year()
        ),
        Language::ZhCn => format!("{}年{}月{}日", date.year(), date.month(), date.day()),
    }
}

/// A day of the current year with its weekday: "Wed 25 Nov", "11月25日 周三".
pub fn weekday_date(language: Language, date: NaiveDate) -> String {
    let weekday = date.weekday().num_days_from_monday() as usize;
    match language {
        Language::En => format!(
            "{} {} {}",
            WEEKDAYS_EN[weekday],
            date.day(),
            MONTHS_EN[date.month0() as usize]
        ),
        Language::ZhCn => format!(
            "{}月{}日 周{}",
            date.month(),
            date.day(),
            WEEKDAYS_ZH[weekday]
        ),
    }
}

/// A wall-clock time, 24-hour in both languages: "07:30".
pub fn time(at: NaiveDateTime) -> String {
    format!("{:02}:{:02}", at.hour(), at.minute())
}

/// A date and time on the wall clock of the place it is shown for (the
/// caller converts to the site's zone first): "3 Dec 2026 07:30",
/// "2026年12月3日 07:30".
pub fn date_time(language: Language, at: NaiveDateTime) -> String {
    format!("{} {}", date(language, at.date()), time(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_never_read_minus_zero() {
        let cases = [
            (0.0, 1, "0.0", "0"),
            (-0.0, 1, "0.0", "0"),
            (-0.04, 1, "0.0", "0"),
            (-0.0, 0, "0", "0"),
            (0.05, 1, "0.1", "0.1"),
            (0.05, 0, "0", "0"),
            (99.95, 1, "100.0", "100"),
            (99.94, 1, "99.9", "99.9"),
            (100.0, 1, "100.0", "100"),
            (100.0, 0, "100", "100"),
            (-3.25, 1, "-3.2", "-3.2"),
            (4.5, 2, "4.50", "4.5"),
            (f64::NAN, 1, "–", "–"),
        ];
        for (value, decimals, fixed_text, number_text) in cases {
            assert_eq!(
                fixed(value, decimals),
                fixed_text,
                "fixed({value}, {decimals})"
            );
            assert_eq!(
                number(value, decimals),
                number_text,
                "number({value}, {decimals})"
            );
        }
    }

    #[test]
    fn percents() {
        for (share, text) in [(0.0, "0 %"), (-0.0, "0 %"), (0.426, "43 %"), (1.0, "100 %")] {
            assert_eq!(percent(share), text, "{share}");
        }
    }

    #[test]
    fn dates_and_times_per_language() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let at = day.and_hms_opt(7, 5, 0).unwrap();
        assert_eq!(date(Language::En, day), "24 Nov 2026");
        assert_eq!(date(Language::ZhCn, day), "2026年11月24日");
        assert_eq!(weekday_date(Language::En, day), "Tue 24 Nov");
        assert_eq!(weekday_date(Language::ZhCn, day), "11月24日 周二");
        assert_eq!(date_time(Language::En, at), "24 Nov 2026 07:05");
        assert_eq!(date_time(Language::ZhCn, at), "2026年11月24日 07:05");
    }
}
