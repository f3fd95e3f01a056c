//! Alert rules (api.md "Alerts", clinical.md): which alerts a newly stored
//! version of an entry raises, adds to or resolves. Pure: the store gathers
//! the facts inside the transaction that stores the version and carries out
//! the actions in the same transaction.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{classification::Classification, entry::Kind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    SevereHypoglycemia,
    PotentiallySeriousEvent,
    Level2Glucose,
    RepeatedLevel2,
    MissedDiary,
}

impl Rule {
    pub const ALL: [Rule; 5] = [
        Rule::SevereHypoglycemia,
        Rule::PotentiallySeriousEvent,
        Rule::Level2Glucose,
        Rule::RepeatedLevel2,
        Rule::MissedDiary,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rule::SevereHypoglycemia => "severe_hypoglycemia",
            Rule::PotentiallySeriousEvent => "potentially_serious_event",
            Rule::Level2Glucose => "level2_glucose",
            Rule::RepeatedLevel2 => "repeated_level2",
            Rule::MissedDiary => "missed_diary",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn severity(self) -> Severity {
        match self {
            Rule::SevereHypoglycemia | Rule::PotentiallySeriousEvent => Severity::Critical,
            Rule::Level2Glucose | Rule::RepeatedLevel2 => Severity::High,
            Rule::MissedDiary => Severity::Info,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Critical,
    High,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Info => "info",
        }
    }
}

/// Thresholds, per study; the defaults are clinical.md's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlertSettings {
    /// Two level-2 readings this close make `repeated_level2`.
    pub repeat_window: Duration,
    /// The reporting clock of a potentially serious event.
    pub report_within: Duration,
    /// An unacknowledged critical alert goes to the next contact list after this.
    pub escalate_after: Duration,
    /// Days without an entry that make `missed_diary`.
    pub missed_days: u32,
}

impl Default for AlertSettings {
    fn default() -> Self {
        Self {
            repeat_window: Duration::hours(24),
            report_within: Duration::hours(24),
            escalate_after: Duration::minutes(15),
            missed_days: 3,
        }
    }
}

/// A version just stored, as the rules see it.
#[derive(Debug, Clone)]
pub struct StoredVersion {
    pub entry_id: Uuid,
    pub kind: Kind,
    pub voided: bool,
    pub classification: Option<Classification>,
    pub event_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
}

impl StoredVersion {
    /// A level-2 glucose *reading* (not a value typed into an event form).
    pub fn is_level2_reading(&self) -> bool {
        !self.voided
            && self.kind == Kind::Glucose
            && self.classification.is_some_and(|c| c.ada_level >= 2)
    }

    fn raises(&self, rule: Rule) -> bool {
        let c = match (self.voided, self.kind, self.classification) {
            (false, Kind::Hypo, Some(c)) => c,
            _ => return rule == Rule::Level2Glucose && self.is_level2_reading(),
        };
        match rule {
            Rule::SevereHypoglycemia => c.ada_level >= 3,
            Rule::PotentiallySeriousEvent => c.potentially_serious,
            _ => false,
        }
    }
}

/// An alert of the participant the rules need to know about.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownAlert {
    pub id: Uuid,
    pub rule: Rule,
    /// The entry that raised it (or, for `repeated_level2`, the first one).
    pub entry_id: Option<Uuid>,
    pub open: bool,
    pub created_at: DateTime<Utc>,
}

/// What the store knows around the version, read in the same transaction.
#[derive(Debug, Clone, Default)]
pub struct Surroundings {
    /// Event times of the participant's other active level-2 readings.
    pub other_level2_readings: Vec<DateTime<Utc>>,
    /// Alerts raised by this entry, and open `repeated_level2` alerts of
    /// the participant.
    pub alerts: Vec<KnownAlert>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AlertAction {
    Raise {
        rule: Rule,
        report_due_at: Option<DateTime<Utc>>,
    },
    /// A further reading adds to an open `repeated_level2` alert.
    AddTo { alert: Uuid },
    /// The cause is gone (an amendment or a removal): resolved with a note.
    Resolve { alert: Uuid, note: String },
}

/// The actions for one stored version. Rules already raised by this entry
/// are not raised again (an amendment keeping the cause changes nothing).
pub fn evaluate(
    v: &StoredVersion,
    around: &Surroundings,
    settings: &AlertSettings,
) -> Vec<AlertAction> {
    let mut actions = Vec::new();
    let of_entry = |rule: Rule| {
        around
            .alerts
            .iter()
            .filter(move |a| a.rule == rule && a.entry_id == Some(v.entry_id))
    };
    for rule in [Rule::SevereHypoglycemia, Rule::PotentiallySeriousEvent] {
        let raised = of_entry(rule).next().is_some();
        if v.raises(rule) && !raised {
            actions.push(AlertAction::Raise {
                rule,
                report_due_at: (rule == Rule::PotentiallySeriousEvent)
                    .then(|| v.received_at + settings.report_within),
            });
        } else if !v.raises(rule) {
            for a in of_entry(rule).filter(|a| a.open) {
                actions.push(resolve(a, v));
            }
        }
    }
    if v.is_level2_reading() {
        let already = of_entry(Rule::Level2Glucose).next().is_some()
            || of_entry(Rule::RepeatedLevel2).next().is_some();
        if !already {
            let recent = around
                .other_level2_readings
                .iter()
                .any(|t| (*t - v.event_at).abs() <= settings.repeat_window);
            let open_repeat = around.alerts.iter().find(|a| {
                a.rule == Rule::RepeatedLevel2
                    && a.open
                    && (v.event_at - a.created_at).abs() <= settings.repeat_window
            });
            actions.push(match (recent, open_repeat) {
                (_, Some(a)) => AlertAction::AddTo { alert: a.id },
                (true, None) => AlertAction::Raise {
                    rule: Rule::RepeatedLevel2,
                    report_due_at: None,
                },
                (false, None) => AlertAction::Raise {
                    rule: Rule::Level2Glucose,
                    report_due_at: None,
                },
            });
        }
    } else {
        for a in of_entry(Rule::Level2Glucose).filter(|a| a.open) {
            actions.push(resolve(a, v));
        }
    }
    actions
}

/// Whether a diary whose latest entry (or, with none, the enrolment) fell
/// on local day `last` counts as missed on local day `today`: `days` whole
/// days in between without an entry.
pub fn diary_missed(last: chrono::NaiveDate, today: chrono::NaiveDate, days: u32) -> bool {
    (today - last).num_days() > i64::from(days)
}

fn resolve(a: &KnownAlert, v: &StoredVersion) -> AlertAction {
    AlertAction::Resolve {
        alert: a.id,
        note: if v.voided {
            "The entry was removed.".to_owned()
        } else {
            "An amendment removed the cause.".to_owned()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::classification::Ada2005Class;

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000 + h * 3600, 0).unwrap()
    }

    fn version(kind: Kind, level: u8, serious: bool, hour: i64) -> StoredVersion {
        StoredVersion {
            entry_id: Uuid::now_v7(),
            kind,
            voided: false,
            classification: Some(Classification {
                ada_level: level,
                ada2005_class: (level == 3).then_some(Ada2005Class::Severe),
                potentially_serious: serious,
            }),
            event_at: at(hour),
            received_at: at(hour),
        }
    }

    fn rules(actions: &[AlertAction]) -> Vec<Rule> {
        actions
            .iter()
            .filter_map(|a| match a {
                AlertAction::Raise { rule, .. } => Some(*rule),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn what_each_entry_raises() {
        let s = AlertSettings::default();
        let none = Surroundings::default();
        let cases = [
            (
                version(Kind::Hypo, 3, false, 0),
                vec![Rule::SevereHypoglycemia],
            ),
            (
                version(Kind::Hypo, 3, true, 0),
                vec![Rule::SevereHypoglycemia, Rule::PotentiallySeriousEvent],
            ),
            (
                version(Kind::Hypo, 1, true, 0),
                vec![Rule::PotentiallySeriousEvent],
            ),
            // A level-2 value typed into an event form is not a reading.
            (version(Kind::Hypo, 2, false, 0), vec![]),
            (
                version(Kind::Glucose, 2, false, 0),
                vec![Rule::Level2Glucose],
            ),
            (version(Kind::Glucose, 1, false, 0), vec![]),
            (version(Kind::Glucose, 0, false, 0), vec![]),
        ];
        for (v, expected) in cases {
            assert_eq!(rules(&evaluate(&v, &none, &s)), expected, "{v:?}");
        }
        let serious = evaluate(&version(Kind::Hypo, 1, true, 5), &none, &s);
        assert_eq!(
            serious,
            vec![AlertAction::Raise {
                rule: Rule::PotentiallySeriousEvent,
                report_due_at: Some(at(29))
            }]
        );
    }

    #[test]
    fn a_second_level2_reading_within_24_hours() {
        let s = AlertSettings::default();
        let v = version(Kind::Glucose, 2, false, 30);
        for (other, expected) in [
            (at(7), Rule::RepeatedLevel2),
            (at(6), Rule::RepeatedLevel2),
            (at(5), Rule::Level2Glucose),
            (at(54), Rule::RepeatedLevel2),
        ] {
            let around = Surroundings {
                other_level2_readings: vec![other],
                alerts: Vec::new(),
            };
            assert_eq!(rules(&evaluate(&v, &around, &s)), vec![expected], "{other}");
        }
        // A third adds to the open repeated alert.
        let open = KnownAlert {
            id: Uuid::now_v7(),
            rule: Rule::RepeatedLevel2,
            entry_id: Some(Uuid::now_v7()),
            open: true,
            created_at: at(20),
        };
        let around = Surroundings {
            other_level2_readings: vec![at(10), at(20)],
            alerts: vec![open.clone()],
        };
        assert_eq!(
            evaluate(&v, &around, &s),
            vec![AlertAction::AddTo { alert: open.id }]
        );
    }

    #[test]
    fn missed_diary_days() {
        let d = |day: u32| chrono::NaiveDate::from_ymd_opt(2026, 11, day).unwrap();
        // Last entry on the 20th: the 21st, 22nd and 23rd pass without one.
        for (today, missed) in [(d(20), false), (d(23), false), (d(24), true), (d(30), true)] {
            assert_eq!(diary_missed(d(20), today, 3), missed, "{today}");
        }
        assert!(!diary_missed(d(20), d(21), 1));
        assert!(diary_missed(d(20), d(22), 1));
    }

    #[test]
    fn amendments_keep_or_resolve() {
        let s = AlertSettings::default();
        let mut v = version(Kind::Hypo, 3, false, 0);
        let raised = KnownAlert {
            id: Uuid::now_v7(),
            rule: Rule::SevereHypoglycemia,
            entry_id: Some(v.entry_id),
            open: true,
            created_at: at(0),
        };
        let around = Surroundings {
            other_level2_readings: Vec::new(),
            alerts: vec![raised.clone()],
        };
        assert_eq!(
            evaluate(&v, &around, &s),
            vec![],
            "still severe: nothing new"
        );
        v.classification = Some(Classification {
            ada_level: 1,
            ada2005_class: None,
            potentially_serious: false,
        });
        assert!(matches!(
            evaluate(&v, &around, &s).as_slice(),
            [AlertAction::Resolve { alert, .. }] if *alert == raised.id
        ));
        v.voided = true;
        assert!(matches!(
            evaluate(&v, &around, &s).as_slice(),
            [AlertAction::Resolve { note, .. }] if note.contains("removed")
        ));
    }
}
