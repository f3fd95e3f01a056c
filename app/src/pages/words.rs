//! The staff pages' words for what the server sends as codes and
//! structured records (a person with their role, an entry, a
//! classification, an earlier lab version, a time on the site's clock), said
//! in the page's language. An unknown code is shown as it came.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use leptos::prelude::*;

use crate::{
    domain::{
        alerts::Rule,
        classification::{Ada2005Class, Classification},
        entry::{EntryData, GlucoseContext, GlucoseSource, InsulinPurpose, InsulinType, Treatment},
        glucose::{GlucoseUnit, GlucoseValue, MeterFlag},
        language::Language,
    },
    i18n::{Tr, format},
    review::{EarlierLab, LabLine, Person},
};

const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// Where the `i`th part goes in a message (a slot's value, replaced
/// when the message is shown).
pub fn slot(i: usize) -> String {
    format!("{OPEN}{i}{CLOSE}")
}

/// A part of a message that is data, not the interface's words.
pub enum Part {
    /// A name, a code, a note as typed: shown `translate="no"`.
    Data(String),
    Rich(Rich),
}

/// A message with data in it: people's names, notes, codes and units
/// are marked as not the page's language (`translate="no"`), so the
/// browser does not translate them and checks do not count them.
pub struct Rich {
    text: String,
    parts: Vec<Part>,
}

impl Rich {
    /// `text` with [`slot`]s for `parts`.
    pub fn new(text: String, parts: Vec<Part>) -> Rich {
        Rich { text, parts }
    }

    pub fn text(text: String) -> Rich {
        Rich::new(text, Vec::new())
    }

    pub fn data(text: impl Into<String>) -> Rich {
        Rich::new(slot(0), vec![Part::Data(text.into())])
    }

    fn pieces(&self) -> Vec<(Option<usize>, &str)> {
        let mut out = Vec::new();
        let mut rest = self.text.as_str();
        while let Some(start) = rest.find(OPEN) {
            let (before, after) = rest.split_at(start);
            let after = &after[OPEN.len_utf8()..];
            let Some(end) = after.find(CLOSE) else { break };
            out.push((None, before));
            out.push((after[..end].parse().ok(), ""));
            rest = &after[end + CLOSE.len_utf8()..];
        }
        out.push((None, rest));
        out
    }

    /// As plain text (the data in place).
    #[cfg(test)]
    pub fn plain(&self) -> String {
        self.pieces()
            .into_iter()
            .map(|(part, text)| match part.and_then(|i| self.parts.get(i)) {
                Some(Part::Data(data)) => data.clone(),
                Some(Part::Rich(rich)) => rich.plain(),
                None => text.to_owned(),
            })
            .collect()
    }

    pub fn into_view(self) -> Vec<AnyView> {
        let pieces: Vec<(Option<usize>, String)> = self
            .pieces()
            .into_iter()
            .map(|(part, text)| (part, text.to_owned()))
            .collect();
        let mut parts: Vec<Option<Part>> = self.parts.into_iter().map(Some).collect();
        pieces
            .into_iter()
            .filter_map(|(part, text)| match part {
                Some(i) => match parts.get_mut(i).and_then(Option::take) {
                    Some(Part::Data(data)) => {
                        Some(view! { <span translate="no">{data}</span> }.into_any())
                    }
                    Some(Part::Rich(rich)) => Some(rich.into_view().into_any()),
                    None => None,
                },
                None if text.is_empty() => None,
                None => Some(text.into_any()),
            })
            .collect()
    }
}

/// `reason: ...`, the reason as typed.
pub fn reason(tr: Tr, reason: &str) -> Rich {
    Rich::new(
        tr.t_with("review-reason", &[("reason", slot(0).into())]),
        vec![Part::Data(reason.to_owned())],
    )
}

/// How a list's items are separated in the page's language.
pub fn separator(tr: Tr) -> &'static str {
    match tr.language {
        Language::En => ", ",
        Language::ZhCn => "、",
    }
}

pub fn role(tr: Tr, role: &str) -> Option<String> {
    Some(match role {
        "admin" => tr.t("staff-role-admin"),
        "investigator" => tr.t("staff-role-investigator"),
        "participant" => tr.t("staff-role-participant"),
        "guardian" => tr.t("staff-role-guardian"),
        "system" => tr.t("staff-role-system"),
        "anonymous" => tr.t("staff-role-anonymous"),
        _ => return None,
    })
}

/// "Li Na (guardian)", or a bare role ("system").
pub fn person(tr: Tr, person: &Person) -> Rich {
    let role = role(tr, &person.role).unwrap_or_else(|| person.role.clone());
    match &person.name {
        Some(name) => Rich::new(
            tr.t_with(
                "staff-person",
                &[("name", slot(0).into()), ("role", role.into())],
            ),
            vec![Part::Data(name.clone())],
        ),
        None => Rich::text(role),
    }
}

pub fn rule(tr: Tr, rule: &str) -> String {
    match Rule::parse(rule) {
        Some(Rule::SevereHypoglycemia) => tr.t("staff-rule-severe-hypoglycemia"),
        Some(Rule::PotentiallySeriousEvent) => tr.t("staff-rule-potentially-serious-event"),
        Some(Rule::Level2Glucose) => tr.t("staff-rule-level2-glucose"),
        Some(Rule::RepeatedLevel2) => tr.t("staff-rule-repeated-level2"),
        Some(Rule::MissedDiary) => tr.t("staff-rule-missed-diary"),
        None => tr.t("staff-rule-other"),
    }
}

pub fn severity(tr: Tr, severity: &str) -> String {
    match severity {
        "critical" => tr.t("staff-severity-critical"),
        "high" => tr.t("staff-severity-high"),
        "info" => tr.t("staff-severity-info"),
        other => other.to_owned(),
    }
}

pub fn alert_status(tr: Tr, status: &str) -> String {
    match status {
        "open" => tr.t("staff-status-open"),
        "acknowledged" => tr.t("staff-status-acknowledged"),
        "resolved" => tr.t("staff-status-resolved"),
        other => other.to_owned(),
    }
}

pub fn op(tr: Tr, op: &str) -> String {
    match op {
        "create" => tr.t("review-op-create"),
        "amend" => tr.t("review-op-amend"),
        "void" => tr.t("review-op-void"),
        other => other.to_owned(),
    }
}

/// A time on the site's clock (the page says which zone once).
pub fn site_time(tr: Tr, at: DateTime<FixedOffset>) -> String {
    format::date_time(tr.language, at.naive_local())
}

/// A time on a device's clock, with the offset it was given in.
pub fn device_time(tr: Tr, at: DateTime<FixedOffset>) -> String {
    tr.t_with(
        "review-at-offset",
        &[
            (
                "at",
                format::date_time(tr.language, at.naive_local()).into(),
            ),
            ("offset", at.offset().to_string().into()),
        ],
    )
}

/// A lab's `taken_at`: a day, or a time with its offset (shown on its
/// own clock, as it was entered).
pub fn taken_at(tr: Tr, text: &str) -> String {
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return format::date(tr.language, day);
    }
    DateTime::parse_from_rfc3339(text).map_or_else(
        |_| text.to_owned(),
        |at| format::date_time(tr.language, at.naive_local()),
    )
}

/// A 2005 class by its code (as the outcome figures count them).
fn class_name(tr: Tr, class: &str) -> String {
    match class {
        "severe" => tr.t("staff-class-severe"),
        "documented_symptomatic" => tr.t("staff-class-documented-symptomatic"),
        "asymptomatic" => tr.t("staff-class-asymptomatic"),
        "probable_symptomatic" => tr.t("staff-class-probable-symptomatic"),
        "relative" => tr.t("staff-class-relative"),
        _ => class.replace('_', " "),
    }
}

fn class_of(tr: Tr, class: Ada2005Class) -> String {
    match class {
        Ada2005Class::Severe => tr.t("staff-class-severe"),
        Ada2005Class::DocumentedSymptomatic => tr.t("staff-class-documented-symptomatic"),
        Ada2005Class::Asymptomatic => tr.t("staff-class-asymptomatic"),
        Ada2005Class::ProbableSymptomatic => tr.t("staff-class-probable-symptomatic"),
        Ada2005Class::Relative => tr.t("staff-class-relative"),
    }
}

/// Counts by ADA level ("1", "2", "3"): "level 1: 2 · level 2: 0".
pub fn level_counts(tr: Tr, counts: &BTreeMap<String, usize>) -> String {
    if counts.is_empty() {
        return tr.t("common-dash");
    }
    counts
        .iter()
        .map(|(level, n)| {
            tr.t_with(
                "staff-level-count",
                &[("level", level.into()), ("n", (*n).into())],
            )
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Counts by ADA 2005 class.
pub fn class_counts(tr: Tr, counts: &BTreeMap<String, usize>) -> String {
    if counts.is_empty() {
        return tr.t("common-dash");
    }
    counts
        .iter()
        .map(|(class, n)| {
            tr.t_with(
                "staff-class-count",
                &[("class", class_name(tr, class).into()), ("n", (*n).into())],
            )
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// "ADA level 2 · ADA 2005 class: documented symptomatic · potentially
/// serious".
pub fn classification(tr: Tr, c: &Classification) -> String {
    let mut out = vec![tr.t_with("staff-level", &[("level", u32::from(c.ada_level).into())])];
    if let Some(class) = c.ada2005_class {
        out.push(tr.t_with(
            "review-ada2005-class",
            &[("class", class_of(tr, class).into())],
        ));
    }
    if c.potentially_serious {
        out.push(tr.t("review-potentially-serious"));
    }
    out.join(" · ")
}

fn glucose_value(value: GlucoseValue, unit: GlucoseUnit) -> String {
    match value {
        GlucoseValue::Number(n) => format!("{} {}", format::number(n, 2), unit_name(unit)),
        GlucoseValue::Flag(MeterFlag::Lo) => "LO".into(),
        GlucoseValue::Flag(MeterFlag::Hi) => "HI".into(),
    }
}

fn unit_name(unit: GlucoseUnit) -> &'static str {
    match unit {
        GlucoseUnit::MgDl => "mg/dL",
        GlucoseUnit::MmolL => "mmol/L",
    }
}

fn context(tr: Tr, context: GlucoseContext) -> String {
    match context {
        GlucoseContext::Fasting => tr.t("review-context-fasting"),
        GlucoseContext::BeforeMeal => tr.t("review-context-before-meal"),
        GlucoseContext::AfterMeal => tr.t("review-context-after-meal"),
        GlucoseContext::Bedtime => tr.t("review-context-bedtime"),
        GlucoseContext::Overnight => tr.t("review-context-overnight"),
        GlucoseContext::Other => tr.t("review-context-other"),
    }
}

fn source(tr: Tr, source: GlucoseSource) -> String {
    match source {
        GlucoseSource::Meter => tr.t("review-source-meter"),
        GlucoseSource::Cgm => tr.t("review-source-cgm"),
    }
}

fn insulin_type(tr: Tr, kind: InsulinType) -> String {
    match kind {
        InsulinType::Rapid => tr.t("review-insulin-rapid"),
        InsulinType::Short => tr.t("review-insulin-short"),
        InsulinType::Intermediate => tr.t("review-insulin-intermediate"),
        InsulinType::Long => tr.t("review-insulin-long"),
        InsulinType::Premixed => tr.t("review-insulin-premixed"),
    }
}

fn purpose(tr: Tr, purpose: InsulinPurpose) -> String {
    match purpose {
        InsulinPurpose::Meal => tr.t("review-purpose-meal"),
        InsulinPurpose::Correction => tr.t("review-purpose-correction"),
        InsulinPurpose::Basal => tr.t("review-purpose-basal"),
    }
}

/// A symptom as the phone stores it; one typed in words stays as typed.
fn symptom(tr: Tr, code: &str) -> String {
    match code {
        "shaky" => tr.t("review-symptom-shaky"),
        "sweating" => tr.t("review-symptom-sweating"),
        "hungry" => tr.t("review-symptom-hungry"),
        "dizzy" => tr.t("review-symptom-dizzy"),
        "confused" => tr.t("review-symptom-confused"),
        "headache" => tr.t("review-symptom-headache"),
        "blurred_vision" => tr.t("review-symptom-blurred-vision"),
        "mood_change" => tr.t("review-symptom-mood-change"),
        other => other.to_owned(),
    }
}

fn treatment(tr: Tr, treatment: Treatment) -> String {
    match treatment {
        Treatment::OralCarbohydrate => tr.t("review-treatment-oral-carbohydrate"),
        Treatment::Glucagon => tr.t("review-treatment-glucagon"),
        Treatment::IvGlucose => tr.t("review-treatment-iv-glucose"),
        Treatment::EmergencyServices => tr.t("review-treatment-emergency-services"),
        Treatment::EmergencyDepartment => tr.t("review-treatment-emergency-department"),
        Treatment::HospitalAdmission => tr.t("review-treatment-hospital-admission"),
        Treatment::Other => tr.t("review-treatment-other"),
    }
}

/// An entry's content in a line, in the page's language.
pub fn entry(tr: Tr, data: &EntryData) -> String {
    match data {
        EntryData::Glucose(g) => tr.t_with(
            "review-entry-glucose",
            &[
                ("value", glucose_value(g.value, g.unit).into()),
                ("context", context(tr, g.context).into()),
                ("source", source(tr, g.source).into()),
            ],
        ),
        EntryData::Insulin(d) => tr.t_with(
            "review-entry-insulin",
            &[
                ("units", format::number(d.units, 2).into()),
                ("type", insulin_type(tr, d.insulin_type).into()),
                ("purpose", purpose(tr, d.purpose).into()),
            ],
        ),
        EntryData::Hypo(h) => {
            let glucose = match (h.glucose_value, h.glucose_unit) {
                (Some(v), Some(u)) => glucose_value(GlucoseValue::Number(v), u),
                _ => tr.t("review-hypo-not-measured"),
            };
            let symptoms = if h.symptoms.is_empty() {
                tr.t("common-none")
            } else {
                h.symptoms
                    .iter()
                    .map(|s| symptom(tr, s))
                    .collect::<Vec<_>>()
                    .join(separator(tr))
            };
            let mut help = vec![if h.needed_assistance {
                tr.t("review-hypo-needed-help")
            } else {
                tr.t("review-hypo-no-help")
            }];
            if h.lost_consciousness {
                help.push(tr.t("review-hypo-lost-consciousness"));
            }
            if h.seizure {
                help.push(tr.t("review-hypo-seizure"));
            }
            let treatments = if h.treatments.is_empty() {
                tr.t("review-hypo-no-treatment")
            } else {
                h.treatments
                    .iter()
                    .map(|t| treatment(tr, *t))
                    .collect::<Vec<_>>()
                    .join(separator(tr))
            };
            tr.t_with(
                "review-entry-hypo",
                &[
                    ("glucose", glucose.into()),
                    ("symptoms", symptoms.into()),
                    ("help", help.join(separator(tr)).into()),
                    ("treatments", treatments.into()),
                ],
            )
        }
    }
}

/// A lab's result: "Weight: 48.5 kg", "GAD65 antibodies: 12 U/mL" (the
/// value and unit as entered).
pub fn lab_result(tr: Tr, lab: &LabLine) -> Rich {
    let measure = Part::Data(format!("{} {}", format::number(lab.value, 6), lab.unit));
    match &lab.name {
        Some(name) => Rich::new(
            tr.t_with(
                "review-lab-result-named",
                &[("name", slot(0).into()), ("measure", slot(1).into())],
            ),
            vec![Part::Data(name.clone()), measure],
        ),
        None => Rich::new(
            tr.t_with(
                "review-lab-result-line",
                &[
                    ("kind", super::participant::kind_name(tr, lab.kind).into()),
                    ("measure", slot(0).into()),
                ],
            ),
            vec![measure],
        ),
    }
}

/// An earlier version of a lab: "v1: 48.5 kg on 14 Nov 2026 by Li Na
/// (investigator) · reason: scale not zeroed".
pub fn earlier_lab(tr: Tr, lab: &EarlierLab) -> Rich {
    let measure = format!("{} {}", format::number(lab.value, 6), lab.unit);
    let mut args = vec![
        ("version", lab.version.into()),
        ("measure", slot(0).into()),
        ("taken", taken_at(tr, &lab.taken_at).into()),
        ("who", slot(1).into()),
    ];
    let mut parts = vec![Part::Data(measure), Part::Rich(person(tr, &lab.entered_by))];
    match &lab.reason {
        Some(reason) => {
            args.push(("reason", slot(2).into()));
            parts.push(Part::Data(reason.clone()));
            Rich::new(tr.t_with("review-lab-earlier-reason", &args), parts)
        }
        None => Rich::new(tr.t_with("review-lab-earlier", &args), parts),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(check: impl Fn(Tr)) {
        for language in Language::ALL {
            check(Tr::pages(language));
        }
    }

    fn data(kind: crate::domain::entry::Kind, data: serde_json::Value) -> EntryData {
        EntryData::parse(kind, &data).expect("a valid entry")
    }

    #[test]
    fn records_in_both_languages() {
        use crate::domain::entry::Kind;
        let en = Tr::pages(Language::En);
        let zh = Tr::pages(Language::ZhCn);
        let at = "2026-11-14T07:30:00+08:00";
        let entries = [
            data(
                Kind::Glucose,
                serde_json::json!({"measured_at": at, "value": 3.1, "unit": "mmol/L",
                    "context": "before_meal", "source": "meter"}),
            ),
            data(
                Kind::Glucose,
                serde_json::json!({"measured_at": at, "value": "LO", "unit": "mg/dL",
                    "context": "other", "source": "cgm"}),
            ),
            data(
                Kind::Insulin,
                serde_json::json!({"administered_at": at, "units": 4.5,
                    "insulin_type": "rapid", "purpose": "meal"}),
            ),
            data(
                Kind::Hypo,
                serde_json::json!({"occurred_at": at, "glucose_value": 3.1, "glucose_unit": "mmol/L",
                    "symptoms": ["shaky", "blurred_vision"], "needed_assistance": true,
                    "lost_consciousness": true, "seizure": false,
                    "treatments": ["glucagon", "emergency_department"]}),
            ),
            data(
                Kind::Hypo,
                serde_json::json!({"occurred_at": at, "symptoms": [], "needed_assistance": false,
                    "lost_consciousness": false, "seizure": false, "treatments": []}),
            ),
        ];
        for e in &entries {
            let zh_line = entry(zh, e);
            assert!(
                !zh_line.contains("Glucose") && !zh_line.contains("Insulin"),
                "{zh_line}"
            );
            assert_ne!(zh_line, entry(en, e));
        }
        assert_eq!(
            entry(en, &entries[0]),
            "Glucose 3.1 mmol/L, before a meal, meter"
        );
        assert_eq!(entry(zh, &entries[2]), "胰岛素 4.5 U，速效，餐时");
        assert!(entry(en, &entries[1]).contains("LO"));

        let li_na = |role: &str| Person {
            name: Some("Li Na".into()),
            role: role.into(),
        };
        assert_eq!(person(zh, &li_na("guardian")).plain(), "Li Na（监护人）");
        assert_eq!(person(en, &li_na("guardian")).plain(), "Li Na (guardian)");
        let system = Person {
            name: None,
            role: "system".into(),
        };
        assert_eq!(person(zh, &system).plain(), "系统");

        let c = Classification {
            ada_level: 3,
            ada2005_class: Some(Ada2005Class::Severe),
            potentially_serious: true,
        };
        assert_eq!(
            classification(en, &c),
            "ADA level 3 · ADA 2005 class: severe · potentially serious"
        );
        assert_eq!(
            classification(zh, &c),
            "3 级 · 2005 年分类：严重 · 可能为严重事件"
        );

        let mut earlier = EarlierLab {
            version: 1,
            value: 48.5,
            unit: "kg".into(),
            taken_at: "2026-11-14".into(),
            entered_by: li_na("investigator"),
            reason: Some("typo".into()),
        };
        assert_eq!(
            earlier_lab(en, &earlier).plain(),
            "v1: 48.5 kg on 14 Nov 2026 by Li Na (investigator) · reason: typo"
        );
        earlier.version = 2;
        earlier.value = 49.0;
        earlier.reason = None;
        assert_eq!(
            earlier_lab(zh, &earlier).plain(),
            "第 2 版：49 kg，2026年11月14日，录入人 Li Na（研究者）"
        );

        let at = DateTime::parse_from_rfc3339(at).unwrap();
        assert_eq!(site_time(en, at), "14 Nov 2026 07:30");
        assert_eq!(site_time(zh, at), "2026年11月14日 07:30");
        assert_eq!(device_time(en, at), "14 Nov 2026 07:30 (UTC+08:00)");
        both(|tr| {
            assert!(taken_at(tr, "2026-11-14T08:30:00+08:00").contains("08:30"));
        });
    }
}
