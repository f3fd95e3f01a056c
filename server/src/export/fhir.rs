//! The FHIR R4 export: one `Bundle` (type `collection`) holding a `Patient`
//! per participant, an `Observation` per glucose reading (LOINC, UCUM), a
//! `MedicationAdministration` per insulin dose and an `Observation` per lab;
//! the current version of each record, removed ones as `entered-in-error`.
//! Written entry by entry, so the bundle is never whole in memory.

use chrono::Utc;
use serde_json::{Value, json};
use uuid::Uuid;

use app::domain::{
    entry::{EntryData, GlucoseSource},
    glucose::{GlucoseUnit, GlucoseValue},
    labs::LabKind,
};

use super::{ExportError, Out, Records, Scope};
use crate::store::{EntryStatus, EntryVersion, LabVersion, Participant};

const LOINC: &str = "http://loinc.org";
const UCUM: &str = "http://unitsofmeasure.org";
/// Study ids, and lab results without a LOINC code checked for this study.
const LOCAL: &str = "urn:ediary";

fn reference(id: Uuid) -> Value {
    json!({"reference": format!("urn:uuid:{id}")})
}

fn coding(system: &str, code: &str, display: &str) -> Value {
    json!({"coding": [{"system": system, "code": code, "display": display}], "text": display})
}

fn patient(p: &Participant) -> Value {
    json!({
        "resourceType": "Patient",
        "id": p.id,
        "identifier": [{"system": format!("{LOCAL}/study-id"), "value": p.study_id}],
        "birthDate": p.birth_year.to_string(),
    })
}

fn observation_status(v_status: EntryStatus, version: i64) -> &'static str {
    match (v_status, version) {
        (EntryStatus::Voided, _) => "entered-in-error",
        (_, 1) => "final",
        _ => "amended",
    }
}

/// The glucose reading, the insulin dose, or nothing (events are not part
/// of this export).
fn entry_resource(p: &Participant, v: &EntryVersion) -> Result<Option<Value>, ExportError> {
    let (parsed, _) = super::decoded(v)?;
    Ok(match parsed {
        EntryData::Glucose(g) => {
            // clinical.md: 41653-7 capillary blood by glucometer (mass),
            // 2339-0 blood (mass), 15074-8 blood (moles).
            let code = match (g.unit, g.source) {
                (GlucoseUnit::MgDl, GlucoseSource::Meter) => coding(
                    LOINC,
                    "41653-7",
                    "Glucose [Mass/volume] in Capillary blood by Glucometer",
                ),
                (GlucoseUnit::MgDl, GlucoseSource::Cgm) => {
                    coding(LOINC, "2339-0", "Glucose [Mass/volume] in Blood")
                }
                (GlucoseUnit::MmolL, _) => {
                    coding(LOINC, "15074-8", "Glucose [Moles/volume] in Blood")
                }
            };
            let unit = match g.unit {
                GlucoseUnit::MgDl => "mg/dL",
                GlucoseUnit::MmolL => "mmol/L",
            };
            let mut resource = json!({
                "resourceType": "Observation",
                "id": v.entry_id,
                "status": observation_status(v.status, v.version),
                "category": [{"coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                    "code": "laboratory"}]}],
                "code": code,
                "subject": reference(p.id),
                "effectiveDateTime": g.measured_at.to_rfc3339(),
            });
            match g.value {
                GlucoseValue::Number(n) => {
                    resource["valueQuantity"] =
                        json!({"value": n, "unit": unit, "system": UCUM, "code": unit});
                }
                // The meter showed no number: say which end of its range.
                GlucoseValue::Flag(flag) => {
                    resource["valueString"] = serde_json::to_value(flag).unwrap_or(Value::Null);
                }
            }
            Some(resource)
        }
        EntryData::Insulin(i) => {
            let kind = serde_json::to_value(i.insulin_type)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let name = match &i.product {
                Some(product) => format!("{product} ({kind}-acting insulin)"),
                None => format!("{kind}-acting insulin"),
            };
            Some(json!({
                "resourceType": "MedicationAdministration",
                "id": v.entry_id,
                "status": if v.status == EntryStatus::Voided { "entered-in-error" } else { "completed" },
                "medicationCodeableConcept": {"text": name},
                "subject": reference(p.id),
                "effectiveDateTime": i.administered_at.to_rfc3339(),
                "dosage": {"dose": {"value": i.units, "unit": "U", "system": UCUM, "code": "[IU]"}},
            }))
        }
        EntryData::Hypo(_) => None,
    })
}

fn lab_resource(p: &Participant, v: &LabVersion) -> Value {
    let input = &v.input;
    let code = match (input.kind, input.unit.as_str()) {
        (LabKind::Weight, _) => coding(LOINC, "29463-7", "Body weight"),
        (LabKind::Hba1c, "%") => {
            coding(LOINC, "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood")
        }
        (LabKind::Hba1c, _) => coding(
            LOINC,
            "59261-8",
            "Hemoglobin A1c/Hemoglobin.total in Blood by IFCC protocol",
        ),
        // No C-peptide LOINC code has been checked for this study yet
        // (clinical.md): a local code, named.
        (LabKind::CPeptideFasting, _) => coding(LOCAL, "c_peptide_fasting", "C-peptide, fasting"),
        (LabKind::CPeptideStimulated, _) => {
            coding(LOCAL, "c_peptide_stimulated", "C-peptide, stimulated")
        }
        (LabKind::Other, _) => {
            let name = input.name.clone().unwrap_or_default();
            json!({"text": name})
        }
    };
    // The units accepted for labs are UCUM codes as they are spelled.
    let ucum = input.unit.as_str();
    let taken = input.taken_at.clone();
    let mut resource = json!({
        "resourceType": "Observation",
        "id": v.lab_id,
        "status": observation_status(v.status, v.version),
        "category": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": if input.kind == LabKind::Weight { "vital-signs" } else { "laboratory" }}]}],
        "code": code,
        "subject": reference(p.id),
        "effectiveDateTime": taken,
        "valueQuantity": {"value": input.value, "unit": input.unit, "system": UCUM, "code": ucum},
    });
    if let Some(reason) = &v.reason {
        resource["note"] = json!([{"text": reason}]);
    }
    resource
}

/// Writes the bundle.
pub async fn write(
    store: &dyn crate::store::Store,
    scope: &Scope,
    mut out: Out,
) -> Result<(), ExportError> {
    use std::io::Write;
    write!(
        out.sink,
        r#"{{"resourceType":"Bundle","id":"{}","type":"collection","timestamp":"{}","entry":["#,
        Uuid::now_v7(),
        Utc::now().to_rfc3339()
    )?;
    let mut first = true;
    let mut put = |sink: &mut super::Sink, resource: Value| -> Result<(), ExportError> {
        let id = resource["id"].as_str().unwrap_or_default().to_owned();
        let entry = json!({"fullUrl": format!("urn:uuid:{id}"), "resource": resource});
        if !first {
            sink.write_all(b",")?;
        }
        first = false;
        serde_json::to_writer(sink, &entry).map_err(|e| ExportError::Format(e.to_string()))
    };
    for (participant, _) in &scope.participants {
        let records = Records::read(store, participant.id).await?;
        put(&mut out.sink, patient(participant))?;
        for v in records.current_entries() {
            if let Some(resource) = entry_resource(participant, v)? {
                put(&mut out.sink, resource)?;
            }
        }
        for v in records.current_labs() {
            put(&mut out.sink, lab_resource(participant, v))?;
        }
        out.flush().await?;
    }
    out.sink.write_all(b"]}")?;
    out.flush().await
}
