//! Hypoglycemia, classified two ways and both stored (clinical.md): the ADA
//! / IHSG levels and the ADA Workgroup 2005 classes; and whether an event is
//! potentially serious (a 24-hour reporting clock for the site).

use serde::{Deserialize, Serialize};

use super::glucose::{GlucoseUnit, GlucoseValue, MeterFlag, to_mg_dl};

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ada2005Class {
    Severe,
    DocumentedSymptomatic,
    Asymptomatic,
    ProbableSymptomatic,
    Relative,
}

/// `classification` of the contract: null for insulin.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    /// 0 (not hypoglycemic), 1, 2 or 3 (severe).
    #[cfg_attr(feature = "ssr", schema(maximum = 3))]
    pub ada_level: u8,
    pub ada2005_class: Option<Ada2005Class>,
    pub potentially_serious: bool,
}

/// Level 2: < 54 mg/dL (3.0 mmol/L); level 1: < 70 mg/dL (3.9 mmol/L).
fn level_of_mg_dl(mg_dl: f64) -> u8 {
    if mg_dl < 54.0 {
        2
    } else if mg_dl < 70.0 {
        1
    } else {
        0
    }
}

/// A glucose reading on its own: level 1 or 2 by value; a meter's "LO"
/// counts as level 2.
pub fn classify_reading(value: GlucoseValue, unit: GlucoseUnit) -> Classification {
    let ada_level = match value {
        GlucoseValue::Flag(MeterFlag::Lo) => 2,
        GlucoseValue::Flag(MeterFlag::Hi) => 0,
        GlucoseValue::Number(n) => level_of_mg_dl(to_mg_dl(n, unit)),
    };
    Classification {
        ada_level,
        ada2005_class: None,
        potentially_serious: false,
    }
}

/// What the event form says, as far as classification is concerned.
#[derive(Debug, Clone, PartialEq)]
pub struct EventFacts {
    /// Measured glucose, if any, with its unit.
    pub glucose: Option<(f64, GlucoseUnit)>,
    pub has_symptoms: bool,
    /// Someone else had to give carbohydrate, glucagon or other help.
    pub needed_assistance: bool,
    pub lost_consciousness: bool,
    pub seizure: bool,
    /// Emergency services called, emergency department, or hospital admission.
    pub emergency_care: bool,
}

pub fn classify_event(facts: &EventFacts) -> Classification {
    let mg_dl = facts.glucose.map(|(value, unit)| to_mg_dl(value, unit));
    let ada_level = if facts.needed_assistance {
        3
    } else {
        mg_dl.map_or(0, level_of_mg_dl)
    };
    // Note the 2005 boundary is <= 70 mg/dL where the levels use < 70.
    let ada2005_class = match (facts.needed_assistance, mg_dl, facts.has_symptoms) {
        (true, _, _) => Some(Ada2005Class::Severe),
        (false, Some(mg), true) if mg <= 70.0 => Some(Ada2005Class::DocumentedSymptomatic),
        (false, Some(mg), false) if mg <= 70.0 => Some(Ada2005Class::Asymptomatic),
        (false, Some(_), true) => Some(Ada2005Class::Relative),
        (false, None, true) => Some(Ada2005Class::ProbableSymptomatic),
        (false, _, false) => None,
    };
    Classification {
        ada_level,
        ada2005_class,
        potentially_serious: facts.lost_consciousness || facts.seizure || facts.emergency_care,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ada2005Class::*;
    use GlucoseUnit::*;

    fn event(glucose: Option<(f64, GlucoseUnit)>, symptoms: bool, assisted: bool) -> EventFacts {
        EventFacts {
            glucose,
            has_symptoms: symptoms,
            needed_assistance: assisted,
            lost_consciousness: false,
            seizure: false,
            emergency_care: false,
        }
    }

    #[test]
    fn reading_levels_at_the_boundaries() {
        let cases = [
            (GlucoseValue::Number(53.0), MgDl, 2),
            (GlucoseValue::Number(54.0), MgDl, 1),
            (GlucoseValue::Number(55.0), MgDl, 1),
            (GlucoseValue::Number(69.0), MgDl, 1),
            (GlucoseValue::Number(70.0), MgDl, 0),
            (GlucoseValue::Number(71.0), MgDl, 0),
            // mmol/L equivalents: 2.9 / 3.0 / 3.1 and 3.8 / 3.9 / 4.0.
            (GlucoseValue::Number(2.9), MmolL, 2),
            (GlucoseValue::Number(3.0), MmolL, 1),
            (GlucoseValue::Number(3.1), MmolL, 1),
            (GlucoseValue::Number(3.8), MmolL, 1),
            (GlucoseValue::Number(3.9), MmolL, 0),
            (GlucoseValue::Number(4.0), MmolL, 0),
            (GlucoseValue::Flag(MeterFlag::Lo), MgDl, 2),
            (GlucoseValue::Flag(MeterFlag::Lo), MmolL, 2),
            (GlucoseValue::Flag(MeterFlag::Hi), MgDl, 0),
        ];
        for (value, unit, level) in cases {
            let c = classify_reading(value, unit);
            assert_eq!(c.ada_level, level, "{value:?} {unit:?}");
            assert_eq!((c.ada2005_class, c.potentially_serious), (None, false));
        }
    }

    #[test]
    fn event_classes_at_the_boundaries() {
        let cases = [
            // (glucose, symptoms, assisted) -> (level, class)
            (
                Some((69.0, MgDl)),
                true,
                false,
                1,
                Some(DocumentedSymptomatic),
            ),
            (
                Some((70.0, MgDl)),
                true,
                false,
                0,
                Some(DocumentedSymptomatic),
            ),
            (Some((71.0, MgDl)), true, false, 0, Some(Relative)),
            (Some((70.0, MgDl)), false, false, 0, Some(Asymptomatic)),
            (Some((71.0, MgDl)), false, false, 0, None),
            (Some((53.0, MgDl)), false, false, 2, Some(Asymptomatic)),
            (
                Some((54.0, MgDl)),
                true,
                false,
                1,
                Some(DocumentedSymptomatic),
            ),
            (
                Some((55.0, MgDl)),
                true,
                false,
                1,
                Some(DocumentedSymptomatic),
            ),
            // 3.9 mmol/L is 70.26 mg/dL: above both boundaries.
            (Some((3.9, MmolL)), true, false, 0, Some(Relative)),
            (
                Some((3.8, MmolL)),
                true,
                false,
                1,
                Some(DocumentedSymptomatic),
            ),
            (Some((2.9, MmolL)), false, false, 2, Some(Asymptomatic)),
            (None, true, false, 0, Some(ProbableSymptomatic)),
            (None, false, false, 0, None),
            // Needing another person's help is severe whatever the glucose.
            (None, true, true, 3, Some(Severe)),
            (Some((90.0, MgDl)), false, true, 3, Some(Severe)),
        ];
        for (glucose, symptoms, assisted, level, class) in cases {
            let c = classify_event(&event(glucose, symptoms, assisted));
            assert_eq!(
                (c.ada_level, c.ada2005_class),
                (level, class),
                "{glucose:?} {symptoms} {assisted}"
            );
            assert!(!c.potentially_serious);
        }
    }

    #[test]
    fn potentially_serious_events() {
        let base = event(Some((40.0, MgDl)), true, true);
        for (facts, serious) in [
            (
                EventFacts {
                    lost_consciousness: true,
                    ..base.clone()
                },
                true,
            ),
            (
                EventFacts {
                    seizure: true,
                    ..base.clone()
                },
                true,
            ),
            (
                EventFacts {
                    emergency_care: true,
                    ..base.clone()
                },
                true,
            ),
            (base.clone(), false),
        ] {
            assert_eq!(
                classify_event(&facts).potentially_serious,
                serious,
                "{facts:?}"
            );
        }
    }

    #[test]
    fn wire_spellings() {
        let c = classify_event(&event(None, true, true));
        let json = serde_json::to_value(c).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"ada_level": 3, "ada2005_class": "severe", "potentially_serious": false})
        );
        assert_eq!(
            serde_json::to_value(DocumentedSymptomatic).unwrap(),
            "documented_symptomatic"
        );
    }
}
