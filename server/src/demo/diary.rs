//! The demo's diary: which entries each demo participant has on which day,
//! worked out from one reading of the clock at the site. Pure, so tests can
//! check the whole plan; `super::apply` sends it through the sync as the
//! phones would.
//!
//! Four weeks from enrolment: four glucose readings a day (before
//! breakfast, lunch and dinner, and at bedtime) with a rapid-acting dose at
//! each meal and a long-acting one at bedtime, values varied by a small hash
//! of (participant, day, slot). On top: one "LO" and one "HI", a level-1, a
//! level-2 and a level-3 low, a potentially serious event a few hours ago,
//! an amended reading, a dose entered twice and voided, a dose logged two
//! days late, a forgotten day each for the two children, and DEMO-001, who
//! stopped logging after her month-1 visit.

use app::domain::{
    entry::{
        EntryData, GlucoseContext, GlucoseData, GlucoseSource, HypoData, InsulinData,
        InsulinPurpose, InsulinType, Kind, Treatment,
    },
    glucose::{GlucoseUnit, GlucoseValue, MG_DL_PER_MMOL_L, MeterFlag},
    mutation::Op,
};
use chrono::{DateTime, Duration, DurationRound, FixedOffset, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// The demo participants were enrolled this many site days before the demo
/// was made: long enough for the month-1 visit (day 30, from day 23) to
/// have happened.
pub const ENROLLED_DAYS_AGO: i64 = 28;

/// DEMO-001's last entry is this many site days before the demo was made:
/// three whole days without an entry since, which is what raises a
/// missed-diary alert (the study's default, `AlertSettings::missed_days`).
pub const TEEN_LAST_ENTRY_DAYS_AGO: i64 = 4;

/// Which account typed an entry in (and whose phone synced it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Author {
    Teen,
    Child,
    Guardian,
}

impl Author {
    pub const ALL: [Author; 3] = [Author::Teen, Author::Child, Author::Guardian];

    /// The demo account (`super::LOGINS`).
    pub fn username(self) -> &'static str {
        match self {
            Author::Teen => "demo.teen",
            Author::Child => "demo.child",
            Author::Guardian => "demo.guardian",
        }
    }
}

/// One mutation of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// Unique and stable across runs: names the mutation (and, for a
    /// create, its entry), so a second run is answered `duplicate`.
    pub key: String,
    /// The key of the create that made the entry (its own for a create).
    pub entry_key: String,
    pub study_id: &'static str,
    pub author: Author,
    pub kind: Kind,
    pub op: Op,
    pub base_version: Option<i64>,
    pub reason: Option<String>,
    /// The phone's clock when it was saved.
    pub recorded_at: DateTime<FixedOffset>,
    /// `None` for a void.
    pub data: Option<EntryData>,
}

/// The four daily readings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Breakfast,
    Lunch,
    Dinner,
    Bedtime,
}

impl Slot {
    const ALL: [Slot; 4] = [Slot::Breakfast, Slot::Lunch, Slot::Dinner, Slot::Bedtime];

    fn name(self) -> &'static str {
        match self {
            Slot::Breakfast => "breakfast",
            Slot::Lunch => "lunch",
            Slot::Dinner => "dinner",
            Slot::Bedtime => "bedtime",
        }
    }

    fn context(self) -> GlucoseContext {
        match self {
            Slot::Breakfast => GlucoseContext::Fasting,
            Slot::Lunch | Slot::Dinner => GlucoseContext::BeforeMeal,
            Slot::Bedtime => GlucoseContext::Bedtime,
        }
    }

    /// Typical glucose (mg/dL) and spread at this time of day.
    fn glucose(self) -> (f64, f64) {
        match self {
            Slot::Breakfast => (118.0, 35.0),
            Slot::Lunch => (132.0, 45.0),
            Slot::Dinner => (142.0, 50.0),
            Slot::Bedtime => (152.0, 55.0),
        }
    }
}

/// How one demo participant's diary goes.
struct Profile {
    study_id: &'static str,
    unit: GlucoseUnit,
    /// When each reading is usually taken (hour, minute), by slot.
    times: [(u32, u32); 4],
    /// Who logs each slot's reading and dose.
    authors: [Author; 4],
    /// Usual rapid-acting units at breakfast, lunch and dinner.
    meal_units: [f64; 3],
    /// Long-acting units at bedtime.
    basal_units: f64,
    /// Days (site days ago) with no entry at all: a forgotten day.
    forgotten: &'static [i64],
    /// The last day logged (site days ago), if the diary stops.
    last_day_ago: Option<i64>,
}

const PROFILES: [Profile; 3] = [
    // A 15-year-old, about 52 kg, who logs for herself (mmol/L, the local
    // default) and stopped after her month-1 visit.
    Profile {
        study_id: "DEMO-001",
        unit: GlucoseUnit::MmolL,
        times: [(6, 50), (12, 5), (18, 15), (22, 10)],
        authors: [Author::Teen; 4],
        meal_units: [3.5, 3.0, 4.0],
        basal_units: 9.0,
        forgotten: &[],
        last_day_ago: Some(TEEN_LAST_ENTRY_DAYS_AGO),
    },
    // A 9-year-old, about 29 kg, whose family's meter reads mg/dL: he logs
    // his lunch at school, his mother the rest.
    Profile {
        study_id: "DEMO-002",
        unit: GlucoseUnit::MgDl,
        times: [(7, 10), (11, 40), (17, 50), (20, 20)],
        authors: [
            Author::Guardian,
            Author::Child,
            Author::Guardian,
            Author::Guardian,
        ],
        meal_units: [2.0, 1.5, 2.0],
        basal_units: 5.0,
        forgotten: &[5],
        last_day_ago: None,
    },
    // His 6-year-old brother, about 21 kg, with no account: their mother
    // logs everything.
    Profile {
        study_id: "DEMO-003",
        unit: GlucoseUnit::MmolL,
        times: [(7, 20), (11, 30), (17, 40), (19, 50)],
        authors: [Author::Guardian; 4],
        meal_units: [1.0, 1.0, 1.5],
        basal_units: 3.0,
        forgotten: &[2],
        last_day_ago: None,
    },
];

/// The study ids of the participants the plan is for.
pub fn study_ids() -> impl Iterator<Item = &'static str> {
    PROFILES.iter().map(|p| p.study_id)
}

// The story's days, in site days before the demo was made.
const HI_DAYS_AGO: i64 = 13;
const AMENDED_DAYS_AGO: i64 = 10;
const LEVEL1_DAYS_AGO: i64 = 11;
const LATE_DAYS_AGO: i64 = 9;
const LEVEL2_DAYS_AGO: i64 = 8;
const SEVERE_DAYS_AGO: i64 = 7;
const VOIDED_DAYS_AGO: i64 = 6;
/// The potentially serious event happened this long before the demo was
/// made: its 24-hour reporting clock (from when the server heard of it)
/// still runs.
const SERIOUS_HOURS_AGO: i64 = 4;

/// The key of DEMO-002's severe low, entered by the guardian; its alert is
/// acknowledged by the investigator.
pub const SEVERE_KEY: &str = "DEMO-002/severe-low";
/// The key of DEMO-003's potentially serious event, left open.
pub const SERIOUS_KEY: &str = "DEMO-003/serious-low";

const RAPID: &str = "insulin aspart";
const LONG: &str = "insulin glargine";

/// A number in [-1, 1) from a key: FNV-1a, then splitmix64's finaliser so
/// that neighbouring keys do not give neighbouring numbers.
fn noise(key: &str) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 31;
    // The top 53 bits as a fraction in [0, 1).
    (h >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
}

/// A wall time on a site day (after a daylight-saving gap, the first
/// instant that exists; in an overlap, the earlier).
fn local(tz: Tz, day: NaiveDate, hour: u32, minute: u32) -> Option<DateTime<Utc>> {
    let wall = day.and_hms_opt(hour, minute, 0)?;
    (0..=4).find_map(|shift| {
        tz.from_local_datetime(&(wall + Duration::minutes(30 * shift)))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    })
}

/// An instant as a phone at the site writes it.
fn at_site(tz: Tz, at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&tz).fixed_offset()
}

/// A value in mg/dL as entered in `unit`: mg/dL whole, mmol/L to one decimal.
fn entered(mg_dl: f64, unit: GlucoseUnit) -> f64 {
    match unit {
        GlucoseUnit::MgDl => mg_dl.round(),
        GlucoseUnit::MmolL => (mg_dl / MG_DL_PER_MMOL_L * 10.0).round() / 10.0,
    }
}

fn other(unit: GlucoseUnit) -> GlucoseUnit {
    match unit {
        GlucoseUnit::MgDl => GlucoseUnit::MmolL,
        GlucoseUnit::MmolL => GlucoseUnit::MgDl,
    }
}

/// Pen doses: a multiple of half a unit, at least half a unit.
fn pen(units: f64) -> f64 {
    ((units * 2.0).round() / 2.0).max(0.5)
}

fn glucose(
    at: DateTime<FixedOffset>,
    value: GlucoseValue,
    unit: GlucoseUnit,
    context: GlucoseContext,
    note: Option<&str>,
) -> EntryData {
    EntryData::Glucose(GlucoseData {
        measured_at: at,
        value,
        unit,
        context,
        source: GlucoseSource::Meter,
        note: note.map(str::to_owned),
    })
}

fn insulin(
    at: DateTime<FixedOffset>,
    units: f64,
    insulin_type: InsulinType,
    purpose: InsulinPurpose,
    note: Option<&str>,
) -> EntryData {
    EntryData::Insulin(InsulinData {
        administered_at: at,
        units,
        insulin_type,
        purpose,
        product: Some(
            match insulin_type {
                InsulinType::Long => LONG,
                _ => RAPID,
            }
            .to_owned(),
        ),
        note: note.map(str::to_owned),
    })
}

/// What a hypo form says, beyond when.
struct Low {
    glucose: Option<(f64, GlucoseUnit)>,
    symptoms: &'static [&'static str],
    needed_assistance: bool,
    lost_consciousness: bool,
    treatments: &'static [Treatment],
    note: &'static str,
}

fn hypo(at: DateTime<FixedOffset>, low: &Low) -> EntryData {
    EntryData::Hypo(HypoData {
        occurred_at: at,
        glucose_value: low.glucose.map(|(v, _)| v),
        glucose_unit: low.glucose.map(|(_, u)| u),
        symptoms: low.symptoms.iter().map(|s| (*s).to_owned()).collect(),
        needed_assistance: low.needed_assistance,
        lost_consciousness: low.lost_consciousness,
        seizure: false,
        treatments: low.treatments.to_vec(),
        note: Some(low.note.to_owned()),
    })
}

/// Collects the plan; every entry is saved on the phone `saved_after` its
/// event unless said otherwise.
struct Plan {
    tz: Tz,
    now: DateTime<Utc>,
    out: Vec<Planned>,
}

impl Plan {
    /// A create of `data` by `author`, saved `after` the event; left out when
    /// that lies after now (today's slots still to come).
    fn create(
        &mut self,
        key: String,
        study_id: &'static str,
        author: Author,
        data: EntryData,
        after: Duration,
    ) -> bool {
        let recorded = data.event_time().with_timezone(&Utc) + after;
        if recorded > self.now {
            return false;
        }
        self.out.push(Planned {
            entry_key: key.clone(),
            key,
            study_id,
            author,
            kind: data.kind(),
            op: Op::Create,
            base_version: None,
            reason: None,
            recorded_at: at_site(self.tz, recorded),
            data: Some(data),
        });
        true
    }

    /// An amend (with data) or a void (without) of version 1 of the entry
    /// `of`, saved `later` than it.
    fn change(
        &mut self,
        of: &str,
        suffix: &str,
        data: Option<EntryData>,
        reason: &str,
        later: Duration,
    ) {
        let Some(original) = self.out.iter().find(|p| p.key == of).cloned() else {
            return;
        };
        let recorded = original.recorded_at.with_timezone(&Utc) + later;
        if recorded > self.now {
            return;
        }
        self.out.push(Planned {
            key: format!("{of}/{suffix}"),
            entry_key: original.entry_key,
            study_id: original.study_id,
            author: original.author,
            kind: original.kind,
            op: if data.is_some() { Op::Amend } else { Op::Void },
            base_version: Some(1),
            reason: Some(reason.to_owned()),
            recorded_at: at_site(self.tz, recorded),
            data,
        });
    }
}

/// A reading's true value (mg/dL) in the slot `base` names: the time of
/// day's typical value, a little better week by week (the honeymoon), now
/// and then high; never low (the story's lows are its own).
fn reading_mg_dl(base: &str, slot: Slot, index: i64) -> f64 {
    let (typical, spread) = slot.glucose();
    let mut mg_dl = typical - 0.8 * index as f64
        + spread * (noise(&format!("{base}/g1")) + noise(&format!("{base}/g2"))) / 2.0;
    if noise(&format!("{base}/g3")) > 0.8 {
        mg_dl += 80.0;
    }
    mg_dl.clamp(76.0, 320.0)
}

/// A meal dose: the usual units, more before a high reading, half a unit
/// either way now and then.
fn meal_units(base: &str, usual: f64, mg_dl: f64) -> f64 {
    let correction = if mg_dl > 250.0 {
        1.0
    } else if mg_dl > 180.0 {
        0.5
    } else {
        0.0
    };
    let wobble = noise(&format!("{base}/u"));
    let step = if wobble > 0.5 {
        0.5
    } else if wobble < -0.6 {
        -0.5
    } else {
        0.0
    };
    pen(usual + correction + step)
}

/// The diary of every demo participant enrolled on `enrolled_on` (a site
/// day), as it stands at `now`, in the site's zone `tz`. The same arguments
/// always give the same plan.
pub fn plan(now: DateTime<Utc>, tz: Tz, enrolled_on: NaiveDate) -> Vec<Planned> {
    let today = now.with_timezone(&tz).date_naive();
    let mut plan = Plan {
        tz,
        now,
        out: Vec::new(),
    };
    let minute = Duration::minutes(1);
    for p in &PROFILES {
        for index in 0..=(today - enrolled_on).num_days() {
            let day = enrolled_on + Duration::days(index);
            let ago = (today - day).num_days();
            if p.forgotten.contains(&ago) || p.last_day_ago.is_some_and(|last| ago < last) {
                continue;
            }
            for (i, slot) in Slot::ALL.into_iter().enumerate() {
                let base = format!("{}/d{index:02}/{}", p.study_id, slot.name());
                let (hour, min) = p.times[i];
                let jitter = Duration::minutes((noise(&format!("{base}/t")) * 20.0).round() as i64);
                let Some(at) = local(tz, day, hour, min).map(|t| t + jitter) else {
                    continue;
                };
                let author = p.authors[i];
                let mg_dl = reading_mg_dl(&base, slot, index);
                // A few at lunch come from another meter (the school's).
                let (unit, note) = if slot == Slot::Lunch && index % 8 == 3 {
                    (other(p.unit), Some("Demo: the school nurse's meter"))
                } else {
                    (p.unit, None)
                };
                let hi = p.study_id == "DEMO-001" && ago == HI_DAYS_AGO && slot == Slot::Bedtime;
                let amended =
                    p.study_id == "DEMO-001" && ago == AMENDED_DAYS_AGO && slot == Slot::Dinner;
                let (value, note) = if hi {
                    (
                        GlucoseValue::Flag(MeterFlag::Hi),
                        Some("Demo: birthday party; the meter showed HI"),
                    )
                } else if amended {
                    // A slip of the finger: 10 too many.
                    let typo = entered(mg_dl + 10.0 * MG_DL_PER_MMOL_L, unit);
                    (GlucoseValue::Number(typo), note)
                } else {
                    (GlucoseValue::Number(entered(mg_dl, unit)), note)
                };
                let reading = glucose(at_site(tz, at), value, unit, slot.context(), note);
                let key = format!("{base}/glucose");
                if !plan.create(key.clone(), p.study_id, author, reading, minute) {
                    continue;
                }
                if amended {
                    let real = glucose(
                        at_site(tz, at),
                        GlucoseValue::Number(entered(mg_dl, unit)),
                        unit,
                        slot.context(),
                        None,
                    );
                    let reason = "Demo: mistyped; corrected from the meter's memory";
                    plan.change(&key, "amend", Some(real), reason, Duration::minutes(25));
                }

                let dose_at =
                    at + Duration::minutes(4 + (noise(&format!("{base}/dt")) * 2.0).round() as i64);
                let late = p.study_id == "DEMO-002" && ago == LATE_DAYS_AGO && slot == Slot::Dinner;
                let dose = match slot {
                    Slot::Bedtime => insulin(
                        at_site(tz, dose_at),
                        p.basal_units,
                        InsulinType::Long,
                        InsulinPurpose::Basal,
                        None,
                    ),
                    _ => insulin(
                        at_site(tz, dose_at),
                        meal_units(&base, p.meal_units[i], mg_dl),
                        InsulinType::Rapid,
                        InsulinPurpose::Meal,
                        late.then_some("Demo: forgot to log it that evening"),
                    ),
                };
                let saved = if late { Duration::hours(50) } else { minute };
                let dose_key = format!("{base}/insulin");
                plan.create(dose_key.clone(), p.study_id, author, dose.clone(), saved);
                if p.study_id == "DEMO-003" && ago == VOIDED_DAYS_AGO && slot == Slot::Dinner {
                    let again = format!("{base}/insulin-again");
                    plan.create(
                        again.clone(),
                        p.study_id,
                        author,
                        dose,
                        Duration::minutes(3),
                    );
                    let reason = "Demo: the same dose was entered twice";
                    plan.change(&again, "void", None, reason, Duration::minutes(40));
                }
                if hi {
                    let correction = insulin(
                        at_site(tz, at + Duration::minutes(10)),
                        2.0,
                        InsulinType::Rapid,
                        InsulinPurpose::Correction,
                        None,
                    );
                    plan.create(
                        format!("{base}/correction"),
                        p.study_id,
                        author,
                        correction,
                        minute,
                    );
                }
            }
        }
    }
    lows(&mut plan, today);
    plan.out
}

/// The hypoglycemia of the story.
fn lows(plan: &mut Plan, today: NaiveDate) {
    let tz = plan.tz;
    let on = |ago: i64, hour: u32, minute: u32| {
        local(tz, today - Duration::days(ago), hour, minute).map(|t| at_site(tz, t))
    };
    let five = Duration::minutes(5);
    // Level 2, documented symptomatic: the teen after sport, on her own.
    if let Some(at) = on(LEVEL2_DAYS_AGO, 16, 20) {
        let low = Low {
            glucose: Some((2.8, GlucoseUnit::MmolL)),
            symptoms: &["shaky", "sweating", "hungry"],
            needed_assistance: false,
            lost_consciousness: false,
            treatments: &[Treatment::OralCarbohydrate],
            note: "Demo: after basketball practice; juice and a biscuit",
        };
        plan.create(
            "DEMO-001/level2-low".into(),
            "DEMO-001",
            Author::Teen,
            hypo(at, &low),
            five,
        );
    }
    // Level 1, asymptomatic: the younger brother at a routine check.
    if let Some(at) = on(LEVEL1_DAYS_AGO, 10, 30) {
        let low = Low {
            glucose: Some((3.6, GlucoseUnit::MmolL)),
            symptoms: &[],
            needed_assistance: false,
            lost_consciousness: false,
            treatments: &[Treatment::OralCarbohydrate],
            note: "Demo: found at a routine check at kindergarten, no symptoms",
        };
        let data = hypo(at, &low);
        plan.create(
            "DEMO-003/level1-low".into(),
            "DEMO-003",
            Author::Guardian,
            data,
            Duration::minutes(20),
        );
    }
    // Level 3 at night: the meter read LO, his mother had to help. Severe,
    // but not potentially serious (no loss of consciousness, no emergency).
    if let Some(at) = on(SEVERE_DAYS_AGO, 2, 35) {
        let lo = glucose(
            at,
            GlucoseValue::Flag(MeterFlag::Lo),
            GlucoseUnit::MgDl,
            GlucoseContext::Overnight,
            Some("Demo: woke up sweating and confused"),
        );
        plan.create(
            "DEMO-002/lo".into(),
            "DEMO-002",
            Author::Guardian,
            lo,
            Duration::minutes(2),
        );
        let low = Low {
            glucose: None,
            symptoms: &["confused", "sweating", "could not drink on his own"],
            needed_assistance: true,
            lost_consciousness: false,
            treatments: &[Treatment::Glucagon, Treatment::OralCarbohydrate],
            note: "Demo: the meter showed LO; I gave glucagon, then juice once he could swallow",
        };
        let data = hypo(at + five, &low);
        plan.create(
            SEVERE_KEY.into(),
            "DEMO-002",
            Author::Guardian,
            data,
            Duration::minutes(35),
        );
    }
    // Potentially serious, a few hours ago: the reporting clock runs.
    let at = (plan.now - Duration::hours(SERIOUS_HOURS_AGO))
        .duration_trunc(Duration::minutes(1))
        .unwrap_or(plan.now - Duration::hours(SERIOUS_HOURS_AGO));
    let low = Low {
        glucose: Some((2.2, GlucoseUnit::MmolL)),
        symptoms: &["could not be woken", "sweating"],
        needed_assistance: true,
        lost_consciousness: true,
        treatments: &[Treatment::Glucagon, Treatment::EmergencyServices],
        note: "Demo: could not be woken; glucagon given and an ambulance called (120); awake and eating before it came",
    };
    let data = hypo(at_site(tz, at), &low);
    plan.create(
        SERIOUS_KEY.into(),
        "DEMO-003",
        Author::Guardian,
        data,
        Duration::minutes(45),
    );
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet, HashSet};

    use app::domain::mutation::{check_data, check_event_time, is_late};

    use super::*;

    fn plan_at(utc: &str, tz: Tz) -> (Vec<Planned>, DateTime<Utc>, NaiveDate) {
        plan_enrolled(utc, tz, ENROLLED_DAYS_AGO)
    }

    fn plan_enrolled(utc: &str, tz: Tz, days_ago: i64) -> (Vec<Planned>, DateTime<Utc>, NaiveDate) {
        let now: DateTime<Utc> = utc.parse().unwrap();
        let today = now.with_timezone(&tz).date_naive();
        let enrolled = today - Duration::days(days_ago);
        (plan(now, tz, enrolled), now, enrolled)
    }

    /// Times of day around the clock, a daylight-saving change, and a study
    /// made by `seed_study` (enrolled three weeks ago) that `seed` completes.
    fn cases() -> Vec<(Vec<Planned>, DateTime<Utc>, NaiveDate, Tz)> {
        let shanghai = chrono_tz::Asia::Shanghai;
        let berlin = chrono_tz::Europe::Berlin;
        [
            ("2026-11-24T16:05:00Z", shanghai, ENROLLED_DAYS_AGO), // 00:05 at the site
            ("2026-11-24T22:55:00Z", shanghai, ENROLLED_DAYS_AGO), // 06:55
            ("2026-11-25T04:00:00Z", shanghai, ENROLLED_DAYS_AGO), // 12:00
            ("2026-11-25T15:59:00Z", shanghai, ENROLLED_DAYS_AGO), // 23:59
            ("2027-04-05T09:30:00Z", berlin, ENROLLED_DAYS_AGO),   // after the spring change
            ("2027-03-28T01:30:00Z", berlin, ENROLLED_DAYS_AGO),   // the spring change itself
            ("2026-11-25T04:00:00Z", shanghai, 21),
        ]
        .into_iter()
        .map(|(utc, tz, days_ago)| {
            let (p, now, enrolled) = plan_enrolled(utc, tz, days_ago);
            (p, now, enrolled, tz)
        })
        .collect()
    }

    fn site_day(p: &Planned, tz: Tz) -> Option<NaiveDate> {
        p.data
            .as_ref()
            .map(|d| d.event_time().with_timezone(&tz).date_naive())
    }

    #[test]
    fn every_time_is_past_and_every_entry_valid() {
        for (plan, now, enrolled, tz) in cases() {
            let earliest = app::domain::time::day_start(enrolled, tz.name());
            for p in &plan {
                assert!(p.recorded_at.with_timezone(&Utc) <= now, "{p:?}");
                if let Some(data) = &p.data {
                    assert!(data.event_time() <= p.recorded_at, "{p:?}");
                    let checked = check_data(data).unwrap_or_else(|e| panic!("{p:?}: {e:?}"));
                    assert!(checked.warnings.is_empty(), "{p:?}");
                    // The server's own window check, with no tolerance used.
                    check_event_time(data, now - Duration::minutes(10), earliest)
                        .unwrap_or_else(|e| panic!("{p:?}: {e:?}"));
                }
            }
        }
    }

    #[test]
    fn keys_are_unique_and_changes_follow_their_entry() {
        for (plan, ..) in cases() {
            let mut seen = HashSet::new();
            for p in &plan {
                assert!(seen.insert(p.key.clone()), "{} twice", p.key);
                match p.op {
                    Op::Create => assert_eq!(p.key, p.entry_key),
                    Op::Amend | Op::Void => {
                        let original = plan.iter().find(|o| o.key == p.entry_key).unwrap();
                        assert_eq!((original.study_id, original.author), (p.study_id, p.author));
                        assert!(original.recorded_at < p.recorded_at);
                        assert!(p.reason.as_deref().is_some_and(|r| r.starts_with("Demo")));
                    }
                }
            }
            let ops = |op| plan.iter().filter(|p| p.op == op).count();
            assert_eq!((ops(Op::Amend), ops(Op::Void)), (1, 1));
        }
    }

    #[test]
    fn the_same_clock_gives_the_same_plan() {
        let a = plan_at("2026-11-25T04:00:00Z", chrono_tz::Asia::Shanghai).0;
        let b = plan_at("2026-11-25T04:00:00Z", chrono_tz::Asia::Shanghai).0;
        assert_eq!(a, b);
    }

    #[test]
    fn exactly_one_lo_and_one_hi() {
        for (plan, ..) in cases() {
            let flags: Vec<MeterFlag> = plan
                .iter()
                .filter_map(|p| match &p.data {
                    Some(EntryData::Glucose(GlucoseData {
                        value: GlucoseValue::Flag(f),
                        ..
                    })) => Some(*f),
                    _ => None,
                })
                .collect();
            assert_eq!(flags.len(), 2, "{flags:?}");
            assert!(flags.contains(&MeterFlag::Lo) && flags.contains(&MeterFlag::Hi));
        }
    }

    #[test]
    fn four_readings_and_doses_a_day_until_the_stop() {
        for (plan, now, enrolled, tz) in cases() {
            let today = now.with_timezone(&tz).date_naive();
            for profile in &PROFILES {
                let mut readings: BTreeMap<NaiveDate, usize> = BTreeMap::new();
                let mut basal: BTreeSet<NaiveDate> = BTreeSet::new();
                let mut days: BTreeSet<NaiveDate> = BTreeSet::new();
                // Entries, not versions: an amend is not another reading.
                let creates = plan
                    .iter()
                    .filter(|p| p.study_id == profile.study_id && p.op == Op::Create);
                for p in creates {
                    let Some(day) = site_day(p, tz) else { continue };
                    days.insert(day);
                    match &p.data {
                        Some(EntryData::Glucose(g)) if g.context != GlucoseContext::Overnight => {
                            *readings.entry(day).or_default() += 1;
                        }
                        Some(EntryData::Insulin(i)) if i.purpose == InsulinPurpose::Basal => {
                            basal.insert(day);
                        }
                        _ => {}
                    }
                }
                let mut day = enrolled;
                while day < today {
                    let ago = (today - day).num_days();
                    let logged = !profile.forgotten.contains(&ago)
                        && profile.last_day_ago.is_none_or(|last| ago >= last);
                    let expected = if logged { 4 } else { 0 };
                    let got = readings.get(&day).copied().unwrap_or(0);
                    assert_eq!(got, expected, "{} on {day}", profile.study_id);
                    assert_eq!(
                        basal.contains(&day),
                        logged,
                        "{} on {day}",
                        profile.study_id
                    );
                    day += Duration::days(1);
                }
                assert!(readings.get(&today).copied().unwrap_or(0) <= 4);
                // Every day of the last week but the forgotten ones, and none
                // at all after the stop: completeness between 0 and 100 %.
                let week: Vec<NaiveDate> = (0..7).map(|d| today - Duration::days(d)).collect();
                let logged_days = week.iter().filter(|d| days.contains(d)).count();
                assert!(logged_days > 0 && logged_days < 7, "{}", profile.study_id);
            }
        }
    }

    #[test]
    fn the_teen_stops_three_whole_days_before_today() {
        for (plan, now, _, tz) in cases() {
            let today = now.with_timezone(&tz).date_naive();
            let last = plan
                .iter()
                .filter(|p| p.study_id == "DEMO-001")
                .filter_map(|p| site_day(p, tz))
                .max()
                .unwrap();
            assert_eq!(last, today - Duration::days(TEEN_LAST_ENTRY_DAYS_AGO));
            assert!(app::domain::alerts::diary_missed(last, today, 3));
            assert!(!app::domain::alerts::diary_missed(
                last + Duration::days(1),
                today,
                3
            ));
        }
    }

    #[test]
    fn lows_classify_as_the_story_says() {
        for (plan, now, ..) in cases() {
            let events: Vec<(&Planned, app::domain::classification::Classification)> = plan
                .iter()
                .filter(|p| matches!(p.data, Some(EntryData::Hypo(_))))
                .map(|p| {
                    let c = check_data(p.data.as_ref().unwrap()).unwrap().classification;
                    (p, c.unwrap())
                })
                .collect();
            let levels: Vec<u8> = events.iter().map(|(_, c)| c.ada_level).collect();
            assert_eq!(levels.iter().filter(|l| **l == 1).count(), 1, "{levels:?}");
            assert_eq!(levels.iter().filter(|l| **l == 2).count(), 1, "{levels:?}");
            assert_eq!(levels.iter().filter(|l| **l == 3).count(), 2, "{levels:?}");
            let (severe, c) = events.iter().find(|(p, _)| p.key == SEVERE_KEY).unwrap();
            assert_eq!(
                (severe.author, c.ada_level, c.potentially_serious),
                (Author::Guardian, 3, false)
            );
            let serious: Vec<_> = events
                .iter()
                .filter(|(_, c)| c.potentially_serious)
                .collect();
            assert_eq!(serious.len(), 1);
            let (p, _) = serious[0];
            assert_eq!((p.key.as_str(), p.author), (SERIOUS_KEY, Author::Guardian));
            let ago = now - p.data.as_ref().unwrap().event_time().with_timezone(&Utc);
            assert!(ago > Duration::zero() && ago < Duration::hours(24));
        }
    }

    #[test]
    fn readings_in_both_units_and_one_late_dose() {
        for (plan, ..) in cases() {
            for profile in &PROFILES {
                let units: BTreeMap<&str, usize> = plan
                    .iter()
                    .filter(|p| p.study_id == profile.study_id)
                    .filter_map(|p| match &p.data {
                        Some(EntryData::Glucose(g)) => Some(match g.unit {
                            GlucoseUnit::MgDl => "mg/dL",
                            GlucoseUnit::MmolL => "mmol/L",
                        }),
                        _ => None,
                    })
                    .fold(BTreeMap::new(), |mut m, u| {
                        *m.entry(u).or_default() += 1;
                        m
                    });
                assert_eq!(units.len(), 2, "{} {units:?}", profile.study_id);
                assert!(units.values().min().unwrap() * 10 < *units.values().max().unwrap());
            }
            let late: Vec<_> = plan
                .iter()
                .filter(|p| {
                    p.data
                        .as_ref()
                        .is_some_and(|d| is_late(d.event_time(), p.recorded_at))
                })
                .collect();
            assert_eq!(late.len(), 1);
            assert_eq!(late[0].author, Author::Guardian);
        }
    }

    #[test]
    fn who_logs_what() {
        let (plan, ..) = plan_at("2026-11-25T04:00:00Z", chrono_tz::Asia::Shanghai);
        let authors = |id: &str| -> BTreeSet<Author> {
            plan.iter()
                .filter(|p| p.study_id == id)
                .map(|p| p.author)
                .collect()
        };
        assert_eq!(authors("DEMO-001"), [Author::Teen].into());
        assert_eq!(
            authors("DEMO-002"),
            [Author::Child, Author::Guardian].into()
        );
        assert_eq!(authors("DEMO-003"), [Author::Guardian].into());
        for author in Author::ALL {
            assert!(
                super::super::LOGINS
                    .iter()
                    .any(|l| l.username == author.username())
            );
        }
        // About four weeks of eight entries a day for each of the three.
        assert!((600..=720).contains(&plan.len()), "{}", plan.len());
    }
}
