//! The phone app's words: the messages `phone-*` of
//! `app/locales/<language>/phone.ftl` (with `common.ftl` and `errors.ftl`),
//! through `crate::i18n::Tr::phone`. Here are the phone's choices about
//! language (Chinese means mmol/L) and the names of the domain's values
//! (contexts, insulin types, symptoms, levels) in the person's words.
//!
//! Every message is named by a string literal right in the call to `t` or
//! `t_with`: the i18n unit tests scan the source for those calls and check
//! each id exists in both languages.

use chrono::NaiveDate;

use crate::{
    domain::{
        classification::{Ada2005Class, Classification},
        entry::{GlucoseContext, InsulinPurpose, InsulinType, Treatment},
        glucose::GlucoseUnit,
        language::Language,
    },
    i18n::{Tr, format},
};

/// The phone's words in `language`.
pub fn tr(language: Language) -> Tr {
    Tr::phone(language)
}

/// The glucose unit shown until the person picks one: Chinese sites report
/// mmol/L; mg/dL is the American habit.
pub fn default_unit(language: Language) -> GlucoseUnit {
    match language {
        Language::En => GlucoseUnit::MgDl,
        Language::ZhCn => GlucoseUnit::MmolL,
    }
}

/// A unit's symbol: the same in both languages (Chinese meters show these).
pub fn unit_name(unit: GlucoseUnit) -> &'static str {
    match unit {
        GlucoseUnit::MgDl => "mg/dL",
        GlucoseUnit::MmolL => "mmol/L",
    }
}

pub fn context(tr: Tr, c: GlucoseContext) -> String {
    match c {
        GlucoseContext::Fasting => tr.t("phone-context-fasting"),
        GlucoseContext::BeforeMeal => tr.t("phone-context-before-meal"),
        GlucoseContext::AfterMeal => tr.t("phone-context-after-meal"),
        GlucoseContext::Bedtime => tr.t("phone-context-bedtime"),
        GlucoseContext::Overnight => tr.t("phone-context-overnight"),
        GlucoseContext::Other => tr.t("phone-context-other"),
    }
}

pub fn insulin_type(tr: Tr, t: InsulinType) -> String {
    match t {
        InsulinType::Rapid => tr.t("phone-insulin-rapid"),
        InsulinType::Short => tr.t("phone-insulin-short"),
        InsulinType::Intermediate => tr.t("phone-insulin-intermediate"),
        InsulinType::Long => tr.t("phone-insulin-long"),
        InsulinType::Premixed => tr.t("phone-insulin-premixed"),
    }
}

pub fn purpose(tr: Tr, p: InsulinPurpose) -> String {
    match p {
        InsulinPurpose::Meal => tr.t("phone-purpose-meal"),
        InsulinPurpose::Correction => tr.t("phone-purpose-correction"),
        InsulinPurpose::Basal => tr.t("phone-purpose-basal"),
    }
}

pub fn treatment(tr: Tr, t: Treatment) -> String {
    match t {
        Treatment::OralCarbohydrate => tr.t("phone-treatment-oral-carbohydrate"),
        Treatment::Glucagon => tr.t("phone-treatment-glucagon"),
        Treatment::IvGlucose => tr.t("phone-treatment-iv-glucose"),
        Treatment::EmergencyServices => tr.t("phone-treatment-emergency-services"),
        Treatment::EmergencyDepartment => tr.t("phone-treatment-emergency-department"),
        Treatment::HospitalAdmission => tr.t("phone-treatment-hospital-admission"),
        Treatment::Other => tr.t("phone-treatment-other"),
    }
}

/// The symptoms checklist: the stored words.
pub const SYMPTOMS: [&str; 8] = [
    "shaky",
    "sweating",
    "hungry",
    "dizzy",
    "confused",
    "headache",
    "blurred_vision",
    "mood_change",
];

/// What the person reads for a stored symptom; one the list does not know
/// (stored by a newer app) shows as stored.
pub fn symptom(tr: Tr, key: &str) -> String {
    match key {
        "shaky" => tr.t("phone-symptom-shaky"),
        "sweating" => tr.t("phone-symptom-sweating"),
        "hungry" => tr.t("phone-symptom-hungry"),
        "dizzy" => tr.t("phone-symptom-dizzy"),
        "confused" => tr.t("phone-symptom-confused"),
        "headache" => tr.t("phone-symptom-headache"),
        "blurred_vision" => tr.t("phone-symptom-blurred-vision"),
        "mood_change" => tr.t("phone-symptom-mood-change"),
        other => other.replace('_', " "),
    }
}

pub fn level(tr: Tr, ada_level: u8) -> String {
    match ada_level {
        0 => tr.t("phone-level-0"),
        1 => tr.t("phone-level-1"),
        2 => tr.t("phone-level-2"),
        _ => tr.t("phone-level-3"),
    }
}

pub fn class_2005(tr: Tr, c: Ada2005Class) -> String {
    match c {
        Ada2005Class::Severe => tr.t("phone-class-severe"),
        Ada2005Class::DocumentedSymptomatic => tr.t("phone-class-documented-symptomatic"),
        Ada2005Class::Asymptomatic => tr.t("phone-class-asymptomatic"),
        Ada2005Class::ProbableSymptomatic => tr.t("phone-class-probable-symptomatic"),
        Ada2005Class::Relative => tr.t("phone-class-relative"),
    }
}

/// A low's level with its 2005 class when it has one: "level 3 · severe".
pub fn level_text(tr: Tr, c: &Classification) -> String {
    let level = level(tr, c.ada_level);
    match c.ada2005_class {
        Some(class) => tr.t_with(
            "phone-level-with-class",
            &[
                ("level", level.into()),
                ("class", class_2005(tr, class).into()),
            ],
        ),
        None => level,
    }
}

/// Who saved a version, from the entry's `entered_by_role` ("you" when it
/// was the signed-in user).
pub fn who(tr: Tr, role: &str) -> String {
    match role {
        "you" => tr.t("phone-who-you"),
        "participant" => tr.t("phone-who-participant"),
        "guardian" => tr.t("phone-who-guardian"),
        _ => tr.t("phone-who-staff"),
    }
}

/// "by guardian", "记录人：监护人".
pub fn entered_by(tr: Tr, role: &str) -> String {
    tr.t_with("phone-entered-by", &[("who", who(tr, role).into())])
}

/// Today's insulin: "12.5 U from 3 doses", "共 3 次，12.5 单位"; a day
/// with none reads "0", never "-0".
pub fn insulin_total(tr: Tr, units: f64, doses: usize) -> String {
    tr.t_with(
        "phone-insulin-total",
        &[("u", format::number(units, 2).into()), ("n", doses.into())],
    )
}

/// A day as each language writes it: "Today", "Wed 25 Nov", "11月25日 周三".
pub fn day(tr: Tr, date: NaiveDate, today: NaiveDate) -> String {
    if date == today {
        tr.t("phone-today")
    } else {
        format::weekday_date(tr.language, date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOTH: [Language; 2] = Language::ALL;

    #[test]
    fn chinese_means_mmol_per_litre() {
        assert_eq!(default_unit(Language::ZhCn), GlucoseUnit::MmolL);
        assert_eq!(default_unit(Language::En), GlucoseUnit::MgDl);
    }

    #[test]
    fn templates_fill_every_slot_in_both_languages() {
        for language in BOTH {
            let s = insulin_total(tr(language), 12.5, 3);
            assert!(
                s.contains("12.5") && s.contains('3') && !s.contains(['{', '$']),
                "{s}"
            );
        }
        assert_eq!(insulin_total(tr(Language::En), 4.5, 1), "4.5 U from 1 dose");
        assert_eq!(
            insulin_total(tr(Language::En), 12.5, 3),
            "12.5 U from 3 doses"
        );
        assert_eq!(
            insulin_total(tr(Language::ZhCn), 12.5, 3),
            "共 3 次，12.5 单位"
        );
    }

    #[test]
    fn a_day_without_insulin_reads_zero_not_minus_zero() {
        assert_eq!(insulin_total(tr(Language::En), -0.0, 0), "0 U from 0 doses");
        assert_eq!(
            insulin_total(tr(Language::ZhCn), -0.0, 0),
            "共 0 次，0 单位"
        );
    }

    #[test]
    fn days_per_language() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let tuesday = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        assert_eq!(day(tr(Language::En), tuesday, today), "Tue 24 Nov");
        assert_eq!(day(tr(Language::ZhCn), tuesday, today), "11月24日 周二");
        assert_eq!(day(tr(Language::ZhCn), today, today), "今天");
        assert_eq!(day(tr(Language::En), today, today), "Today");
    }

    #[test]
    fn the_texts_the_browser_tests_look_for() {
        let en = tr(Language::En);
        let c = Classification {
            ada_level: 3,
            ada2005_class: Some(Ada2005Class::Severe),
            potentially_serious: true,
        };
        assert_eq!(level_text(en, &c), "level 3 · severe");
        assert_eq!(
            en.t_with("phone-classified-as", &[("level", level(en, 2).into())]),
            "This low is: level 2"
        );
        assert_eq!(entered_by(en, "participant"), "by participant");
        assert!(
            en.t_with(
                "phone-unit-mixup",
                &[("other", "mg/dL".into()), ("unit", "mmol/L".into())]
            )
            .starts_with("This number looks like mg/dL, not mmol/L")
        );
        assert_eq!(
            en.t_with("phone-chart-start", &[("n", 14i64.into())]),
            "-14"
        );
        assert_eq!(
            en.t_with(
                "phone-chart-summary",
                &[("n", 1usize.into()), ("low", 0usize.into())]
            ),
            "1 reading, 0 below the target range"
        );
        assert_eq!(symptom(en, "shaky"), "Shaky");
        assert_eq!(treatment(en, Treatment::Glucagon), "Glucagon");
        let zh = tr(Language::ZhCn);
        assert_eq!(zh.t("phone-today"), "今天");
        assert_eq!(zh.t("phone-history"), "记录");
        assert_eq!(zh.t("phone-settings"), "设置");
        assert_eq!(symptom(zh, "some_new_one"), "some new one");
    }

    /// The central tests check every message; this one checks what the
    /// phone builds from them (levels with classes, names of values).
    #[test]
    fn chinese_text_has_no_latin_words_but_units_and_names() {
        let zh = tr(Language::ZhCn);
        let mut shown = vec![
            insulin_total(zh, 4.5, 2),
            day(
                zh,
                NaiveDate::from_ymd_opt(2026, 1, 4).unwrap(),
                NaiveDate::MIN,
            ),
            entered_by(zh, "investigator"),
        ];
        for class in [
            Ada2005Class::Severe,
            Ada2005Class::DocumentedSymptomatic,
            Ada2005Class::Asymptomatic,
            Ada2005Class::ProbableSymptomatic,
            Ada2005Class::Relative,
        ] {
            let c = Classification {
                ada_level: 2,
                ada2005_class: Some(class),
                potentially_serious: false,
            };
            shown.push(level_text(zh, &c));
        }
        shown.extend(SYMPTOMS.iter().map(|s| symptom(zh, s)));
        for text in shown {
            let latin: Vec<&str> = text
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| !w.is_empty() && !["LO", "HI", "T1D", "U"].contains(w))
                .collect();
            assert!(latin.is_empty(), "{text}: {latin:?}");
        }
    }
}
