//! SDTM-shaped datasets as CSV, zipped (clinical.md, "Interoperability"):
//! LB (glucose readings with their meal timing in LBTPT and the original
//! unit in LBORRESU; HbA1c and C-peptide), CE (hypoglycemic events, CECAT
//! "HYPOGLYCEMIC EVENTS") and CM (insulin). Tabulations hold what stands:
//! the current version of each record, removed ones left out.

use app::domain::{
    classification::Classification,
    entry::{EntryData, GlucoseSource},
    glucose::{GlucoseValue, to_mg_dl},
    labs::LabKind,
};
use zip::{CompressionMethod, ZipWriter, write::SimpleFileOptions};

use super::{ExportError, Out, Records, Scope, word};
use crate::store::{EntryStatus, Participant, Store};

pub const LB: [&str; 18] = [
    "STUDYID", "DOMAIN", "USUBJID", "LBSEQ", "LBREFID", "LBTESTCD", "LBTEST", "LBCAT", "LBORRES",
    "LBORRESU", "LBSTRESC", "LBSTRESN", "LBSTRESU", "LBSPEC", "LBMETHOD", "LBTPT", "LBDTC",
    "VISIT",
];
pub const CE: [&str; 12] = [
    "STUDYID", "DOMAIN", "USUBJID", "CESEQ", "CEREFID", "CETERM", "CEDECOD", "CECAT", "CESCAT",
    "CESEV", "CESER", "CESTDTC",
];
pub const CM: [&str; 13] = [
    "STUDYID", "DOMAIN", "USUBJID", "CMSEQ", "CMREFID", "CMTRT", "CMCAT", "CMSCAT", "CMINDC",
    "CMDOSE", "CMDOSU", "CMROUTE", "CMSTDTC",
];

fn upper<T: serde::Serialize>(value: &T) -> String {
    word(value).replace('_', " ").to_uppercase()
}

/// A number as SDTM character results want it: no trailing zeros.
fn number(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

struct Rows {
    lb: Vec<Vec<String>>,
    ce: Vec<Vec<String>>,
    cm: Vec<Vec<String>>,
}

fn rows_of(study: &str, p: &Participant, records: &Records) -> Result<Rows, ExportError> {
    let mut rows = Rows {
        lb: Vec::new(),
        ce: Vec::new(),
        cm: Vec::new(),
    };
    let subject = p.study_id.clone();
    for v in records.current_entries() {
        if v.status == EntryStatus::Voided {
            continue;
        }
        let (parsed, classification) = super::decoded(v)?;
        match parsed {
            EntryData::Glucose(g) => {
                let (orres, stresc, stresn) = match g.value {
                    GlucoseValue::Number(n) => {
                        let mg = to_mg_dl(n, g.unit);
                        (number(n, 2), number(mg, 1), number(mg, 1))
                    }
                    GlucoseValue::Flag(f) => (word(&f), word(&f), String::new()),
                };
                rows.lb.push(vec![
                    study.into(),
                    "LB".into(),
                    subject.clone(),
                    (rows.lb.len() + 1).to_string(),
                    v.entry_id.to_string(),
                    "GLUC".into(),
                    "Glucose".into(),
                    "DIARY".into(),
                    orres,
                    word(&g.unit),
                    stresc,
                    stresn,
                    "mg/dL".into(),
                    if g.source == GlucoseSource::Cgm {
                        "INTERSTITIAL FLUID"
                    } else {
                        "CAPILLARY BLOOD"
                    }
                    .into(),
                    if g.source == GlucoseSource::Cgm {
                        "CGM"
                    } else {
                        "GLUCOMETER"
                    }
                    .into(),
                    upper(&g.context),
                    g.measured_at.to_rfc3339(),
                    String::new(),
                ]);
            }
            EntryData::Insulin(i) => {
                rows.cm.push(vec![
                    study.into(),
                    "CM".into(),
                    subject.clone(),
                    (rows.cm.len() + 1).to_string(),
                    v.entry_id.to_string(),
                    i.product
                        .clone()
                        .unwrap_or_else(|| "INSULIN".into())
                        .to_uppercase(),
                    "INSULIN".into(),
                    format!("{}-ACTING", upper(&i.insulin_type)),
                    upper(&i.purpose),
                    number(i.units, 2),
                    "U".into(),
                    "SUBCUTANEOUS".into(),
                    i.administered_at.to_rfc3339(),
                ]);
            }
            EntryData::Hypo(h) => {
                let c = classification.unwrap_or(Classification {
                    ada_level: 0,
                    ada2005_class: None,
                    potentially_serious: false,
                });
                rows.ce.push(vec![
                    study.into(),
                    "CE".into(),
                    subject.clone(),
                    (rows.ce.len() + 1).to_string(),
                    v.entry_id.to_string(),
                    "HYPOGLYCAEMIC EVENT".into(),
                    "Hypoglycaemia".into(),
                    "HYPOGLYCEMIC EVENTS".into(),
                    c.ada2005_class
                        .map(|class| upper(&class))
                        .unwrap_or_default(),
                    format!("LEVEL {}", c.ada_level),
                    if c.potentially_serious { "Y" } else { "N" }.into(),
                    h.occurred_at.to_rfc3339(),
                ]);
            }
        }
    }
    for lab in records.current_labs() {
        if lab.status == EntryStatus::Voided {
            continue;
        }
        let input = &lab.input;
        let (code, test, standard, unit) = match input.kind {
            LabKind::Hba1c => ("HBA1C", "Hemoglobin A1C", input.hba1c_percent(), "%"),
            LabKind::CPeptideFasting => (
                "CPEPTIDE",
                "C-Peptide, fasting",
                input.c_peptide_pmol_l(),
                "pmol/L",
            ),
            LabKind::CPeptideStimulated => (
                "CPEPTIDE",
                "C-Peptide, stimulated",
                input.c_peptide_pmol_l(),
                "pmol/L",
            ),
            // Weight belongs to VS, other panels to their own tests.
            LabKind::Weight | LabKind::Other => continue,
        };
        let standard = standard.map(|s| number(s, 2)).unwrap_or_default();
        rows.lb.push(vec![
            study.into(),
            "LB".into(),
            subject.clone(),
            (rows.lb.len() + 1).to_string(),
            lab.lab_id.to_string(),
            code.into(),
            test.into(),
            "CHEMISTRY".into(),
            number(input.value, 3),
            input.unit.clone(),
            standard.clone(),
            standard,
            unit.into(),
            "BLOOD".into(),
            String::new(),
            if input.kind == LabKind::CPeptideStimulated {
                "STIMULATED"
            } else {
                ""
            }
            .into(),
            input.taken_at.clone(),
            input.visit.to_uppercase(),
        ]);
    }
    Ok(rows)
}

/// Writes the zip: lb.csv, ce.csv, cm.csv.
pub async fn write(store: &dyn Store, scope: &Scope, mut out: Out) -> Result<(), ExportError> {
    let study = store
        .study()
        .await?
        .map(|s| s.name)
        .unwrap_or_else(|| "T1D EDIARY".into());
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(true);
    let mut zip = ZipWriter::new_stream(out.sink.clone());
    for (file, header) in [
        ("lb.csv", &LB[..]),
        ("ce.csv", &CE[..]),
        ("cm.csv", &CM[..]),
    ] {
        zip.start_file(file, options)?;
        super::csv::write_rows(&mut zip, &[header.to_vec()])?;
        for (participant, _) in &scope.participants {
            let records = Records::read(store, participant.id).await?;
            let rows = rows_of(&study, participant, &records)?;
            let rows = match file {
                "lb.csv" => rows.lb,
                "ce.csv" => rows.ce,
                _ => rows.cm,
            };
            super::csv::write_rows(&mut zip, &rows)?;
            out.flush().await?;
        }
    }
    zip.finish()?;
    out.flush().await
}
