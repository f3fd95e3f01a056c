//! The CSV export: a zip of one file per kind (the current version of each
//! record, removed ones included and marked) and a data dictionary. Each
//! file is written participant by participant into the zip as it streams.

use app::domain::{
    entry::{EntryData, Kind},
    glucose::{GlucoseValue, to_mg_dl},
};
use zip::{CompressionMethod, ZipWriter, write::SimpleFileOptions};

use super::{ExportError, Out, Records, Scope, word};
use crate::store::{EntryVersion, LabVersion, Participant, Store};

/// (file, column, meaning) for every column of every file.
pub const DICTIONARY: &[(&str, &str, &str)] = &[
    (
        "*",
        "(any text)",
        "a cell that would begin with =, +, -, @, a tab or a carriage return begins with an apostrophe (') instead, so that a spreadsheet shows it as text and never runs it as a formula; plain numbers such as -1.5 are written as they are",
    ),
    ("*", "study_id", "the participant's study id"),
    ("*", "participant_id", "the participant's UUID"),
    ("*", "entry_id / lab_id", "the record's UUID"),
    (
        "*",
        "version",
        "the record's current version (1 = never corrected)",
    ),
    (
        "*",
        "status",
        "active, or voided (removed with a reason; kept)",
    ),
    ("*", "entered_by", "UUID of the user who saved this version"),
    (
        "*",
        "entered_by_role",
        "participant, guardian or investigator",
    ),
    (
        "*",
        "received_at",
        "when the server received this version, UTC",
    ),
    (
        "*",
        "reason",
        "why this version was made (corrections and removals)",
    ),
    (
        "glucose, insulin, hypo",
        "device_id",
        "the device that saved this version",
    ),
    (
        "glucose, insulin, hypo",
        "recorded_at",
        "device time of saving, with the device's UTC offset",
    ),
    (
        "glucose, insulin, hypo",
        "late",
        "true when saved more than 24 h after the event",
    ),
    (
        "glucose",
        "measured_at",
        "time of the reading, with the device's UTC offset",
    ),
    ("glucose", "value", "the number as entered, empty for LO/HI"),
    (
        "glucose",
        "meter_flag",
        "LO or HI when the meter showed no number",
    ),
    ("glucose", "unit", "mg/dL or mmol/L, as entered"),
    (
        "glucose",
        "value_mg_dl",
        "the value in mg/dL (1 mmol/L = 18.016 mg/dL)",
    ),
    (
        "glucose",
        "context",
        "fasting, before_meal, after_meal, bedtime, overnight, other",
    ),
    ("glucose", "source", "meter or cgm"),
    (
        "glucose, hypo",
        "ada_level",
        "ADA/IHSG hypoglycemia level: 0 (none), 1, 2, 3",
    ),
    (
        "insulin",
        "administered_at",
        "time of the dose, with the device's UTC offset",
    ),
    ("insulin", "units", "insulin units"),
    (
        "insulin",
        "insulin_type",
        "rapid, short, intermediate, long, premixed",
    ),
    ("insulin", "purpose", "basal, meal or correction"),
    ("insulin", "product", "the product, when given"),
    (
        "hypo",
        "occurred_at",
        "time of the event, with the device's UTC offset",
    ),
    (
        "hypo",
        "glucose_value, glucose_unit",
        "glucose measured during the event, if any",
    ),
    ("hypo", "symptoms", "symptoms, separated by ';'"),
    (
        "hypo",
        "needed_assistance, lost_consciousness, seizure",
        "true or false",
    ),
    ("hypo", "treatments", "treatments, separated by ';'"),
    ("hypo", "ada2005_class", "ADA Workgroup 2005 class"),
    (
        "hypo",
        "potentially_serious",
        "true for loss of consciousness, seizure or emergency care",
    ),
    ("glucose, insulin, hypo", "note", "free text"),
    (
        "labs",
        "visit, taken_at",
        "the visit and when the sample was taken, as entered",
    ),
    (
        "labs",
        "kind",
        "weight, hba1c, c_peptide_fasting, c_peptide_stimulated, other",
    ),
    (
        "labs",
        "name, value, unit",
        "the result's name (kind other), value and unit as entered",
    ),
];

const ENTRY_HEAD: [&str; 5] = [
    "study_id",
    "participant_id",
    "entry_id",
    "version",
    "status",
];
const ENTRY_TAIL: [&str; 8] = [
    "note",
    "entered_by",
    "entered_by_role",
    "device_id",
    "recorded_at",
    "received_at",
    "late",
    "reason",
];

fn header(kind: Kind) -> Vec<&'static str> {
    let middle: &[&str] = match kind {
        Kind::Glucose => &[
            "measured_at",
            "value",
            "meter_flag",
            "unit",
            "value_mg_dl",
            "context",
            "source",
            "ada_level",
        ],
        Kind::Insulin => &[
            "administered_at",
            "units",
            "insulin_type",
            "purpose",
            "product",
        ],
        Kind::Hypo => &[
            "occurred_at",
            "glucose_value",
            "glucose_unit",
            "symptoms",
            "needed_assistance",
            "lost_consciousness",
            "seizure",
            "treatments",
            "ada_level",
            "ada2005_class",
            "potentially_serious",
        ],
    };
    ENTRY_HEAD
        .iter()
        .chain(middle)
        .chain(ENTRY_TAIL.iter())
        .copied()
        .collect()
}

const LAB_HEADER: [&str; 15] = [
    "study_id",
    "participant_id",
    "lab_id",
    "version",
    "status",
    "visit",
    "taken_at",
    "kind",
    "name",
    "value",
    "unit",
    "entered_by",
    "entered_by_role",
    "received_at",
    "reason",
];

fn entry_row(p: &Participant, v: &EntryVersion) -> Result<Vec<String>, ExportError> {
    let (parsed, classification) = super::decoded(v)?;
    let level = classification
        .map(|c| c.ada_level.to_string())
        .unwrap_or_default();
    let mut row = vec![
        p.study_id.clone(),
        p.id.to_string(),
        v.entry_id.to_string(),
        v.version.to_string(),
        v.status.as_str().to_owned(),
    ];
    let note = match &parsed {
        EntryData::Glucose(g) => {
            let (value, flag, mg_dl) = match g.value {
                GlucoseValue::Number(n) => (
                    n.to_string(),
                    String::new(),
                    format!("{:.1}", to_mg_dl(n, g.unit)),
                ),
                GlucoseValue::Flag(f) => (String::new(), word(&f), String::new()),
            };
            row.extend([
                g.measured_at.to_rfc3339(),
                value,
                flag,
                word(&g.unit),
                mg_dl,
                word(&g.context),
                word(&g.source),
                level,
            ]);
            g.note.clone()
        }
        EntryData::Insulin(i) => {
            row.extend([
                i.administered_at.to_rfc3339(),
                i.units.to_string(),
                word(&i.insulin_type),
                word(&i.purpose),
                i.product.clone().unwrap_or_default(),
            ]);
            i.note.clone()
        }
        EntryData::Hypo(h) => {
            row.extend([
                h.occurred_at.to_rfc3339(),
                h.glucose_value.map(|g| g.to_string()).unwrap_or_default(),
                h.glucose_unit.map(|u| word(&u)).unwrap_or_default(),
                h.symptoms.join(";"),
                h.needed_assistance.to_string(),
                h.lost_consciousness.to_string(),
                h.seizure.to_string(),
                h.treatments.iter().map(word).collect::<Vec<_>>().join(";"),
                level,
                classification
                    .and_then(|c| c.ada2005_class)
                    .map(|c| word(&c))
                    .unwrap_or_default(),
                classification
                    .is_some_and(|c| c.potentially_serious)
                    .to_string(),
            ]);
            h.note.clone()
        }
    };
    row.extend([
        note.unwrap_or_default(),
        v.entered_by.to_string(),
        v.entered_by_role.to_string(),
        v.device_id.clone(),
        v.recorded_at.to_rfc3339(),
        v.received_at.to_rfc3339(),
        v.late.to_string(),
        v.reason.clone().unwrap_or_default(),
    ]);
    Ok(row)
}

fn lab_row(p: &Participant, v: &LabVersion) -> Vec<String> {
    vec![
        p.study_id.clone(),
        p.id.to_string(),
        v.lab_id.to_string(),
        v.version.to_string(),
        v.status.as_str().to_owned(),
        v.input.visit.clone(),
        v.input.taken_at.clone(),
        v.input.kind.as_str().to_owned(),
        v.input.name.clone().unwrap_or_default(),
        v.input.value.to_string(),
        v.input.unit.clone(),
        v.entered_by.to_string(),
        v.entered_by_role.to_string(),
        v.received_at.to_rfc3339(),
        v.reason.clone().unwrap_or_default(),
    ]
}

/// Writes the zip: glucose.csv, insulin.csv, hypo.csv, labs.csv,
/// data_dictionary.csv.
pub async fn write(store: &dyn Store, scope: &Scope, mut out: Out) -> Result<(), ExportError> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(true);
    let mut zip = ZipWriter::new_stream(out.sink.clone());
    for kind in Kind::ALL {
        zip.start_file(format!("{}.csv", kind.as_str()), options)?;
        write_rows(&mut zip, &[header(kind)])?;
        for (participant, _) in &scope.participants {
            let records = Records::read(store, participant.id).await?;
            let rows = records
                .current_entries()
                .into_iter()
                .filter(|v| v.kind == kind)
                .map(|v| entry_row(participant, v))
                .collect::<Result<Vec<_>, _>>()?;
            write_rows(&mut zip, &rows)?;
            out.flush().await?;
        }
    }
    zip.start_file("labs.csv", options)?;
    write_rows(&mut zip, &[LAB_HEADER.to_vec()])?;
    for (participant, _) in &scope.participants {
        let labs = store.lab_versions(participant.id).await?;
        let records = Records {
            versions: Vec::new(),
            labs,
        };
        let rows: Vec<Vec<String>> = records
            .current_labs()
            .into_iter()
            .map(|v| lab_row(participant, v))
            .collect();
        write_rows(&mut zip, &rows)?;
        out.flush().await?;
    }
    zip.start_file("data_dictionary.csv", options)?;
    let mut dictionary = vec![vec!["file", "column", "meaning"]];
    dictionary.extend(DICTIONARY.iter().map(|(f, c, m)| vec![*f, *c, *m]));
    write_rows(&mut zip, &dictionary)?;
    zip.finish()?;
    out.flush().await
}

pub(super) fn write_rows<W: std::io::Write, S: AsRef<[u8]>>(
    to: &mut W,
    rows: &[Vec<S>],
) -> Result<(), ExportError> {
    let mut writer = ::csv::Writer::from_writer(to);
    for row in rows {
        writer.write_record(row.iter().map(|cell| inert(cell.as_ref())))?;
    }
    writer.flush()?;
    Ok(())
}

/// A cell as a spreadsheet may open it without running anything: text that
/// starts like a formula (OWASP's list: `=`, `+`, `-`, `@`, tab, carriage
/// return) gets a leading apostrophe. Participants type notes, symptoms and
/// reasons; an investigator opens the file in Excel.
fn inert(cell: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let risky = matches!(
        cell.first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    if risky && !is_plain_number(cell) {
        let mut quoted = Vec::with_capacity(cell.len() + 1);
        quoted.push(b'\'');
        quoted.extend_from_slice(cell);
        std::borrow::Cow::Owned(quoted)
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// `-12` or `-1.5`: a number, which no spreadsheet reads as a formula.
fn is_plain_number(cell: &[u8]) -> bool {
    let digits = cell.strip_prefix(b"-").unwrap_or(cell);
    let (whole, fraction) = match digits.iter().position(|&b| b == b'.') {
        Some(dot) => (&digits[..dot], Some(&digits[dot + 1..])),
        None => (digits, None),
    };
    !whole.is_empty()
        && whole.iter().all(u8::is_ascii_digit)
        && fraction.is_none_or(|f| !f.is_empty() && f.iter().all(u8::is_ascii_digit))
}

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn formula_cells_are_inert_and_numbers_are_not_touched() {
        let cases: [(&str, &str); 14] = [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+1+2", "'+1+2"),
            ("-1+2", "'-1+2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("\rcmd", "'\rcmd"),
            ("-", "'-"),
            ("-.5", "'-.5"),
            ("-1.", "'-1."),
            ("-1.5", "-1.5"),
            ("-12", "-12"),
            ("5.5", "5.5"),
            ("felt shaky", "felt shaky"),
            ("", ""),
        ];
        for (cell, expected) in cases {
            assert_eq!(
                inert(cell.as_bytes()).as_ref(),
                expected.as_bytes(),
                "{cell:?}"
            );
        }
    }
}
