//! The message files against each other and against the code that uses them.

use std::collections::{BTreeMap, BTreeSet};

use super::*;

/// The messages of a file: id -> every `$variable` it uses, read from the
/// file's text (a message is its `id =` line and the indented lines after).
fn messages(text: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let starts_message = line.starts_with(|c: char| c.is_ascii_alphabetic());
        if starts_message {
            let id = line.split('=').next().unwrap_or("").trim().to_owned();
            current = Some(id.clone());
            out.entry(id).or_default();
        } else if line.starts_with('#') || line.trim().is_empty() {
            if !line.starts_with(' ') {
                current = None;
            }
            continue;
        }
        if let Some(id) = &current {
            let vars = out.entry(id.clone()).or_default();
            for part in line.split('$').skip(1) {
                let name: String = part
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                    .collect();
                if !name.is_empty() {
                    vars.insert(name);
                }
            }
        }
    }
    out
}

#[test]
fn every_file_parses_in_both_languages() {
    for (file, text) in ALL_EN.iter().chain(ALL_ZH) {
        if let Err((_, errors)) = FluentResource::try_new((*text).to_owned()) {
            panic!("{file}.ftl: {errors:?}");
        }
    }
}

#[test]
fn both_languages_have_the_same_messages_with_the_same_slots() {
    assert_eq!(ALL_EN.len(), ALL_ZH.len());
    for ((file, en), (zh_file, zh)) in ALL_EN.iter().zip(ALL_ZH) {
        assert_eq!(file, zh_file);
        let (en, zh) = (messages(en), messages(zh));
        let only_en: Vec<_> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
        let only_zh: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(
            only_en.is_empty() && only_zh.is_empty(),
            "{file}.ftl: only in en {only_en:?}, only in zh-CN {only_zh:?}"
        );
        for (id, vars) in &en {
            assert_eq!(Some(vars), zh.get(id), "{file}.ftl: slots of {id}");
        }
    }
}

#[test]
fn ids_are_unique_across_files() {
    let mut seen = BTreeMap::new();
    for (file, text) in ALL_EN {
        for id in messages(text).into_keys() {
            if let Some(other) = seen.insert(id.clone(), *file) {
                panic!("{id} is in {other}.ftl and {file}.ftl");
            }
        }
    }
}

#[test]
fn the_phone_catalogue_is_part_of_the_whole() {
    for (file, _) in PHONE_EN.iter().chain(PHONE_ZH) {
        assert!(ALL_EN.iter().any(|(f, _)| f == file), "{file}");
    }
}

/// Every `.t("id"` and `.t_with("id"` in the app's source names a message
/// (the phone's in the phone catalogue).
#[test]
fn every_id_the_code_uses_exists() {
    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    rust_files(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut used = 0;
    let mut missing = Vec::new();
    // This file's own examples are not uses.
    files.retain(|path| !path.ends_with("i18n/tests.rs"));
    for path in files {
        let source = std::fs::read_to_string(&path).unwrap();
        let phone = path.components().any(|c| c.as_os_str() == "phone");
        for marker in [".t(\"", ".t_with(\""] {
            for part in source.split(marker).skip(1) {
                let Some((id, _)) = part.split_once('"') else {
                    continue;
                };
                used += 1;
                for language in Language::ALL {
                    let tr = if phone {
                        Tr::phone(language)
                    } else {
                        Tr::pages(language)
                    };
                    if !tr.has(id) {
                        missing.push(format!("{}: {id} ({})", path.display(), language.tag()));
                    }
                }
            }
        }
    }
    assert!(used > 50, "the scan found only {used} uses");
    assert!(missing.is_empty(), "{missing:#?}");
}

/// Words allowed in Chinese text: units, names of tests and formats, and
/// what a person types (LO, HI).
const LATIN_IN_CHINESE: &[&str] = &[
    "mg",
    "dL",
    "mmol",
    "L",
    "LO",
    "HI",
    "T1D",
    "eDiary",
    "HbA1c",
    "IDAA1C",
    "CV",
    "TIR",
    "CSV",
    "ODM",
    "FHIR",
    "SDTM",
    "CDISC",
    "ZIP",
    "U",
    "kg",
    "TOTP",
    "QR",
    "ID",
    "URL",
    "https",
    "Webhook",
    "SMTP",
    "UTC",
    "IANA",
    "MMTT",
    "AUC",
    "C",
    "nmol",
    "pmol",
    "ng",
    "mL",
    "DEMO",
    "CRF",
    "JavaScript",
];

/// Every message in `language`, formatted with its slots filled with
/// numbers, as the person would read it.
fn formatted(language: Language) -> Vec<(String, String)> {
    let (files, tr) = match language {
        Language::En => (ALL_EN, Tr::pages(Language::En)),
        Language::ZhCn => (ALL_ZH, Tr::pages(Language::ZhCn)),
    };
    let mut out = Vec::new();
    for (file, text) in files {
        for (id, vars) in messages(text) {
            let args: Vec<(&str, Arg<'_>)> =
                vars.iter().map(|v| (v.as_str(), 2usize.into())).collect();
            out.push((format!("{file}.ftl {id}"), tr.t_with(&id, &args)));
        }
    }
    out
}

#[test]
fn chinese_messages_have_no_english_words() {
    for (id, shown) in formatted(Language::ZhCn) {
        for word in shown.split(|c: char| !c.is_ascii_alphanumeric()) {
            let is_word = word.chars().any(|c| c.is_ascii_alphabetic());
            assert!(
                !is_word || LATIN_IN_CHINESE.contains(&word),
                "{id}: {word:?} in {shown:?}"
            );
        }
    }
}

#[test]
fn english_messages_have_no_chinese() {
    for (id, shown) in formatted(Language::En) {
        let cjk = shown.chars().find(|c| {
            ('\u{4e00}'..='\u{9fff}').contains(c)
                || ('\u{3000}'..='\u{303f}').contains(c)
                || ('\u{ff00}'..='\u{ffef}').contains(c)
        });
        assert!(cjk.is_none(), "{id}: {cjk:?} in {shown:?}");
    }
}

#[test]
fn slots_and_plurals_fill_in_both_languages() {
    for language in Language::ALL {
        let tr = Tr::pages(language);
        let one = tr.t_with("common-days", &[("n", 1usize.into())]);
        let many = tr.t_with("common-days", &[("n", 5usize.into())]);
        assert!(one.contains('1') && many.contains('5'), "{one} / {many}");
        assert_eq!(tr.t("no-such-message"), "no-such-message");
    }
    assert_eq!(
        Tr::pages(Language::En).t_with("common-days", &[("n", 1usize.into())]),
        "1 day"
    );
    assert_eq!(
        Tr::pages(Language::En).t_with("common-days", &[("n", 2usize.into())]),
        "2 days"
    );
    assert_eq!(
        Tr::pages(Language::ZhCn).t_with("common-days", &[("n", 2usize.into())]),
        "2 天"
    );
}
