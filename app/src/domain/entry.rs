//! Diary entries as the contract spells them (`data` by kind), and their
//! validation: the same check on the phone before saving and on the server
//! before storing.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::{
    classification::{Classification, EventFacts, classify_event, classify_reading},
    glucose::{self, GlucoseUnit, GlucoseValue, GlucoseWarning},
    insulin,
};

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Glucose,
    Insulin,
    Hypo,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Glucose, Kind::Insulin, Kind::Hypo];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Glucose => "glucose",
            Kind::Insulin => "insulin",
            Kind::Hypo => "hypo",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The name of the field in `data` that holds when the event happened.
    pub fn event_field(self) -> &'static str {
        match self {
            Kind::Glucose => "measured_at",
            Kind::Insulin => "administered_at",
            Kind::Hypo => "occurred_at",
        }
    }
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GlucoseContext {
    Fasting,
    BeforeMeal,
    AfterMeal,
    Bedtime,
    Overnight,
    Other,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GlucoseSource {
    Meter,
    Cgm,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlucoseData {
    #[serde(deserialize_with = "rfc3339")]
    pub measured_at: DateTime<FixedOffset>,
    pub value: GlucoseValue,
    pub unit: GlucoseUnit,
    pub context: GlucoseContext,
    pub source: GlucoseSource,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InsulinType {
    Rapid,
    Short,
    Intermediate,
    Long,
    Premixed,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InsulinPurpose {
    Basal,
    Meal,
    Correction,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InsulinData {
    #[serde(deserialize_with = "rfc3339")]
    pub administered_at: DateTime<FixedOffset>,
    pub units: f64,
    pub insulin_type: InsulinType,
    pub purpose: InsulinPurpose,
    /// The product's name, such as "insulin aspart": at most 100 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ssr", schema(max_length = 100))]
    pub product: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Treatment {
    OralCarbohydrate,
    Glucagon,
    IvGlucose,
    EmergencyServices,
    EmergencyDepartment,
    HospitalAdmission,
    Other,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HypoData {
    #[serde(deserialize_with = "rfc3339")]
    pub occurred_at: DateTime<FixedOffset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glucose_value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glucose_unit: Option<GlucoseUnit>,
    pub symptoms: Vec<String>,
    pub needed_assistance: bool,
    pub lost_consciousness: bool,
    pub seizure: bool,
    pub treatments: Vec<Treatment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Event times as the contract spells them (RFC 3339 with an offset), read
/// by chrono's RFC 3339 parser rather than its general one (which is large
/// in the phone's WASM and accepts nothing more that the contract allows).
fn rfc3339<'de, D: serde::Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
    let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
    DateTime::parse_from_rfc3339(&text).map_err(|_| {
        serde::de::Error::custom(
            "must be a time with its offset, such as 2026-11-24T07:30:00+08:00",
        )
    })
}

/// The `data` of an entry, by kind. Serialized with its kind as the key
/// (`{"glucose": {...}}`) for the pages; the API reads `kind` and `data`
/// apart ([`EntryData::parse`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryData {
    Glucose(GlucoseData),
    Insulin(InsulinData),
    Hypo(HypoData),
}

/// Problems by field path (`data.value`), in the words shown to people.
pub type FieldErrors = BTreeMap<String, String>;

/// A valid entry's classification (null for insulin) and warnings.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub classification: Option<Classification>,
    pub warnings: Vec<GlucoseWarning>,
}

const NOTE_MAX_CHARS: usize = 2000;
const PRODUCT_MAX_CHARS: usize = 100;
const SYMPTOMS_MAX: usize = 20;

impl EntryData {
    /// Reads `data` of the given kind; a wrong shape is an error at the
    /// path of the field concerned (`data.unit`).
    pub fn parse(kind: Kind, data: &serde_json::Value) -> Result<Self, FieldErrors> {
        Ok(match kind {
            Kind::Glucose => EntryData::Glucose(parse_at(data)?),
            Kind::Insulin => EntryData::Insulin(parse_at(data)?),
            Kind::Hypo => EntryData::Hypo(parse_at(data)?),
        })
    }

    /// The data as stored and sent: the contract's JSON.
    pub fn to_json(&self) -> serde_json::Value {
        let value = match self {
            EntryData::Glucose(g) => serde_json::to_value(g),
            EntryData::Insulin(i) => serde_json::to_value(i),
            EntryData::Hypo(h) => serde_json::to_value(h),
        };
        // Plain structs of strings, numbers and enums always serialise.
        value.unwrap_or(serde_json::Value::Null)
    }

    pub fn kind(&self) -> Kind {
        match self {
            EntryData::Glucose(_) => Kind::Glucose,
            EntryData::Insulin(_) => Kind::Insulin,
            EntryData::Hypo(_) => Kind::Hypo,
        }
    }

    /// When the event happened (for the window checks of the sync).
    pub fn event_time(&self) -> DateTime<FixedOffset> {
        match self {
            EntryData::Glucose(g) => g.measured_at,
            EntryData::Insulin(i) => i.administered_at,
            EntryData::Hypo(h) => h.occurred_at,
        }
    }

    /// Validates and classifies.
    pub fn check(&self) -> Result<Checked, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut warnings = Vec::new();
        let note = match self {
            EntryData::Glucose(g) => &g.note,
            EntryData::Insulin(i) => &i.note,
            EntryData::Hypo(h) => &h.note,
        };
        if note
            .as_ref()
            .is_some_and(|n| n.chars().count() > NOTE_MAX_CHARS)
        {
            errors.insert(
                "data.note".into(),
                format!("a note may have at most {NOTE_MAX_CHARS} characters"),
            );
        }
        let classification = match self {
            EntryData::Glucose(g) => {
                if let GlucoseValue::Number(value) = g.value {
                    match glucose::assess(value, g.unit) {
                        Ok(warning) => warnings.extend(warning),
                        Err(e) => {
                            errors.insert("data.value".into(), e.to_string());
                        }
                    }
                }
                Some(classify_reading(g.value, g.unit))
            }
            EntryData::Insulin(i) => {
                if let Err(e) = insulin::check_units(i.units) {
                    errors.insert("data.units".into(), e.to_string());
                }
                if i.product
                    .as_deref()
                    .is_some_and(|p| p.chars().count() > PRODUCT_MAX_CHARS)
                {
                    errors.insert(
                        "data.product".into(),
                        format!("a product name may have at most {PRODUCT_MAX_CHARS} characters"),
                    );
                }
                None
            }
            EntryData::Hypo(h) => {
                let measured = match (h.glucose_value, h.glucose_unit) {
                    (Some(value), Some(unit)) => {
                        match glucose::assess(value, unit) {
                            Ok(warning) => warnings.extend(warning),
                            Err(e) => {
                                errors.insert("data.glucose_value".into(), e.to_string());
                            }
                        }
                        Some((value, unit))
                    }
                    (None, None) => None,
                    (Some(_), None) => {
                        errors.insert(
                            "data.glucose_unit".into(),
                            "give the unit of the glucose value".into(),
                        );
                        None
                    }
                    (None, Some(_)) => {
                        errors.insert(
                            "data.glucose_value".into(),
                            "a unit was given without a value".into(),
                        );
                        None
                    }
                };
                if h.symptoms.len() > SYMPTOMS_MAX
                    || h.symptoms
                        .iter()
                        .any(|s| s.trim().is_empty() || s.chars().count() > 100)
                {
                    errors.insert(
                        "data.symptoms".into(),
                        format!("up to {SYMPTOMS_MAX} symptoms of 1 to 100 characters"),
                    );
                }
                let emergency = h.treatments.iter().any(|t| {
                    matches!(
                        t,
                        Treatment::EmergencyServices
                            | Treatment::EmergencyDepartment
                            | Treatment::HospitalAdmission
                    )
                });
                Some(classify_event(&EventFacts {
                    glucose: measured,
                    has_symptoms: !h.symptoms.is_empty(),
                    needed_assistance: h.needed_assistance,
                    lost_consciousness: h.lost_consciousness,
                    seizure: h.seizure,
                    emergency_care: emergency,
                }))
            }
        };
        if errors.is_empty() {
            Ok(Checked {
                classification,
                warnings,
            })
        } else {
            Err(errors)
        }
    }
}

/// On the phone: it decodes only data that it or the server wrote, so which
/// field is at fault is the server's report to make (and the path tracking
/// stays out of the WASM).
#[cfg(feature = "hydrate")]
fn parse_at<T: serde::de::DeserializeOwned>(data: &serde_json::Value) -> Result<T, FieldErrors> {
    T::deserialize(data).map_err(|e| FieldErrors::from([("data".to_owned(), e.to_string())]))
}

/// Deserialises `data`, naming the field at fault. serde reports a missing
/// field at the level of the object, so its name is taken from the message.
#[cfg(not(feature = "hydrate"))]
fn parse_at<T: serde::de::DeserializeOwned>(data: &serde_json::Value) -> Result<T, FieldErrors> {
    if !data.is_object() {
        return Err(FieldErrors::from([(
            "data".to_owned(),
            "must be an object".to_owned(),
        )]));
    }
    serde_path_to_error::deserialize(data).map_err(|e| {
        let inner = e.inner().to_string();
        // serde_path_to_error's path already ends in an unknown field's name.
        let named = inner
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next());
        let path = e.path().to_string();
        let path = match (named, path.as_str()) {
            (Some(name), ".") => format!("data.{name}"),
            (Some(name), p) => format!("data.{p}.{name}"),
            (None, ".") => "data".to_owned(),
            (None, p) => format!("data.{p}"),
        };
        let why = if inner.starts_with("missing field") {
            "required".to_owned()
        } else if inner.starts_with("unknown field") {
            "unknown field".to_owned()
        } else {
            // serde's own words, without the position in the text.
            inner.split(" at line ").next().unwrap_or(&inner).to_owned()
        };
        FieldErrors::from([(path, why)])
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::classification::Ada2005Class;

    fn check(kind: Kind, data: serde_json::Value) -> Result<Checked, FieldErrors> {
        EntryData::parse(kind, &data)?.check()
    }

    #[test]
    fn glucose_entries() {
        let ok = check(
            Kind::Glucose,
            json!({"measured_at": "2026-11-24T07:30:00+08:00", "value": 3.1, "unit": "mmol/L", "context": "fasting", "source": "meter"}),
        )
        .unwrap();
        assert_eq!(ok.classification.unwrap().ada_level, 1);
        let lo = check(
            Kind::Glucose,
            json!({"measured_at": "2026-11-24T02:10:00+08:00", "value": "LO", "unit": "mg/dL", "context": "overnight", "source": "meter"}),
        )
        .unwrap();
        assert_eq!(lo.classification.unwrap().ada_level, 2);
        let mixup = check(
            Kind::Glucose,
            json!({"measured_at": "2026-11-24T07:30:00+08:00", "value": 110, "unit": "mmol/L", "context": "other", "source": "meter"}),
        )
        .unwrap();
        assert_eq!(mixup.warnings, vec![GlucoseWarning::UnitMixup]);
        let refused = check(
            Kind::Glucose,
            json!({"measured_at": "2026-11-24T07:30:00+08:00", "value": 5000, "unit": "mg/dL", "context": "other", "source": "meter"}),
        )
        .unwrap_err();
        assert!(refused.contains_key("data.value"));
        for (bad, path) in [
            (
                json!({"measured_at": "yesterday", "value": 100, "unit": "mg/dL", "context": "other", "source": "meter"}),
                "data.measured_at",
            ),
            (
                json!({"measured_at": "2026-11-24T07:30:00", "value": 100, "unit": "mg/dL", "context": "other", "source": "meter"}),
                "data.measured_at",
            ),
            (
                json!({"measured_at": "2026-11-24T07:30:00+08:00", "value": 100, "unit": "mg/dl", "context": "other", "source": "meter"}),
                "data.unit",
            ),
            (
                json!({"measured_at": "2026-11-24T07:30:00+08:00", "value": "low", "unit": "mg/dL", "context": "other", "source": "meter"}),
                "data.value",
            ),
            (
                json!({"measured_at": "2026-11-24T07:30:00+08:00", "value": 100, "unit": "mg/dL", "context": "lunch", "source": "meter"}),
                "data.context",
            ),
            (
                json!({"measured_at": "2026-11-24T07:30:00+08:00", "value": 100, "unit": "mg/dL", "context": "other", "source": "meter", "extra": 1}),
                "data.extra",
            ),
            (
                json!({"measured_at": "2026-11-24T07:30:00+08:00", "unit": "mg/dL", "context": "other", "source": "meter"}),
                "data.value",
            ),
            (
                json!({"measured_at": "2026-11-24T07:30:00+08:00", "value": 100, "unit": "mg/dL", "context": "other", "source": "meter", "note": 5}),
                "data.note",
            ),
            (json!([1]), "data"),
        ] {
            let errors = check(Kind::Glucose, bad.clone()).unwrap_err();
            assert!(errors.contains_key(path), "{bad}: {errors:?}");
        }
        let long_product = json!({"administered_at": "2026-11-24T07:30:00+08:00", "units": 2,
            "insulin_type": "rapid", "purpose": "meal", "product": "p".repeat(101)});
        assert!(
            check(Kind::Insulin, long_product)
                .unwrap_err()
                .contains_key("data.product")
        );
        let hypo = json!({"occurred_at": "2026-11-24T03:00:00+08:00", "symptoms": ["a", 3], "needed_assistance": true,
                          "lost_consciousness": false, "seizure": false, "treatments": []});
        assert!(
            check(Kind::Hypo, hypo)
                .unwrap_err()
                .contains_key("data.symptoms[1]")
        );
    }

    #[test]
    fn which_treatments_make_an_event_potentially_serious() {
        for (treatment, serious) in [
            ("oral_carbohydrate", false),
            ("glucagon", false),
            ("iv_glucose", false),
            ("other", false),
            ("emergency_services", true),
            ("emergency_department", true),
            ("hospital_admission", true),
        ] {
            let c = check(
                Kind::Hypo,
                json!({"occurred_at": "2026-11-24T03:00:00+08:00", "symptoms": ["sweating"], "needed_assistance": true,
                       "lost_consciousness": false, "seizure": false, "treatments": [treatment]}),
            )
            .unwrap()
            .classification
            .unwrap();
            assert_eq!(c.potentially_serious, serious, "{treatment}");
            assert_eq!(c.ada_level, 3, "{treatment}");
        }
        for (flag, serious) in [("lost_consciousness", true), ("seizure", true)] {
            let mut data = json!({"occurred_at": "2026-11-24T03:00:00+08:00", "symptoms": [], "needed_assistance": false,
                                  "lost_consciousness": false, "seizure": false, "treatments": []});
            data[flag] = json!(true);
            let c = check(Kind::Hypo, data).unwrap().classification.unwrap();
            assert_eq!(c.potentially_serious, serious, "{flag}");
        }
    }

    #[test]
    fn insulin_entries() {
        let ok = check(
            Kind::Insulin,
            json!({"administered_at": "2026-11-24T07:35:00+08:00", "units": 4.5, "insulin_type": "rapid", "purpose": "meal"}),
        )
        .unwrap();
        assert_eq!(ok.classification, None);
        let too_much = check(
            Kind::Insulin,
            json!({"administered_at": "2026-11-24T07:35:00+08:00", "units": 150, "insulin_type": "long", "purpose": "basal"}),
        )
        .unwrap_err();
        assert!(too_much.contains_key("data.units"));
    }

    #[test]
    fn hypo_entries() {
        let severe = check(
            Kind::Hypo,
            json!({"occurred_at": "2026-11-24T03:00:00+08:00", "symptoms": ["confusion"], "needed_assistance": true,
                   "lost_consciousness": false, "seizure": false, "treatments": ["glucagon", "emergency_services"]}),
        )
        .unwrap()
        .classification
        .unwrap();
        assert_eq!(
            (
                severe.ada_level,
                severe.ada2005_class,
                severe.potentially_serious
            ),
            (3, Some(Ada2005Class::Severe), true)
        );
        let documented = check(
            Kind::Hypo,
            json!({"occurred_at": "2026-11-24T16:00:00+08:00", "glucose_value": 3.4, "glucose_unit": "mmol/L", "symptoms": ["shaky"],
                   "needed_assistance": false, "lost_consciousness": false, "seizure": false, "treatments": ["oral_carbohydrate"]}),
        )
        .unwrap()
        .classification
        .unwrap();
        assert_eq!(
            (documented.ada_level, documented.ada2005_class),
            (1, Some(Ada2005Class::DocumentedSymptomatic))
        );
        let no_unit = check(
            Kind::Hypo,
            json!({"occurred_at": "2026-11-24T16:00:00+08:00", "glucose_value": 60, "symptoms": [],
                   "needed_assistance": false, "lost_consciousness": false, "seizure": false, "treatments": []}),
        )
        .unwrap_err();
        assert!(no_unit.contains_key("data.glucose_unit"));
    }
}
