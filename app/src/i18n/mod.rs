//! The words of every page, in Project Fluent message files under
//! `app/locales/<language>/`, one file per area. Fluent (`fluent-bundle`)
//! keeps each sentence whole, with named slots and plural forms, in files a
//! translator can edit without touching Rust; the files are compiled into
//! the binary and the WASM with `include_str!`, so nothing is fetched.
//!
//! Two catalogues: the phone bundle carries only the files it shows
//! (`PHONE_FILES`), the staff pages and the server all of them.

pub mod format;

use std::sync::LazyLock;

use fluent_bundle::{FluentArgs, FluentResource, FluentValue, concurrent::FluentBundle};

use crate::domain::language::Language;

/// The message files of one language, by file name, for each catalogue.
macro_rules! files {
    ($lang:literal, [$($file:literal),*]) => {
        &[$(($file, include_str!(concat!("../../locales/", $lang, "/", $file, ".ftl")))),*]
    };
}

type Files = &'static [(&'static str, &'static str)];

/// What the phone app shows.
const PHONE_EN: Files = files!("en", ["common", "errors", "phone"]);
const PHONE_ZH: Files = files!("zh-CN", ["common", "errors", "phone"]);
/// Everything: the staff pages, sign-in and enrolment, and the phone's words
/// (the server renders a few of them too).
const ALL_EN: Files = files!(
    "en",
    ["common", "errors", "phone", "account", "staff", "review"]
);
const ALL_ZH: Files = files!(
    "zh-CN",
    ["common", "errors", "phone", "account", "staff", "review"]
);

pub struct Catalogue {
    en: FluentBundle<FluentResource>,
    zh: FluentBundle<FluentResource>,
}

fn bundle(language: Language, files: Files) -> FluentBundle<FluentResource> {
    // The tags are constants that parse; the default (und) would only lose
    // plural rules.
    let id = language
        .tag()
        .parse::<unic_langid::LanguageIdentifier>()
        .unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // No bidi isolation marks around slots: both languages run left to right,
    // and the marks would end up in copied text and in tests.
    bundle.set_use_isolating(false);
    for (_, text) in files {
        // A file with a mistake still gives its other messages; the unit
        // tests below make sure none has one.
        let resource = FluentResource::try_new((*text).to_owned()).unwrap_or_else(|(r, _)| r);
        // Ids are unique across files (tested); a clash keeps the first.
        let _ = bundle.add_resource(resource);
    }
    bundle
}

static PHONE: LazyLock<Catalogue> = LazyLock::new(|| Catalogue {
    en: bundle(Language::En, PHONE_EN),
    zh: bundle(Language::ZhCn, PHONE_ZH),
});
static ALL: LazyLock<Catalogue> = LazyLock::new(|| Catalogue {
    en: bundle(Language::En, ALL_EN),
    zh: bundle(Language::ZhCn, ALL_ZH),
});

/// A value for a message's slot: a number (chooses plural forms) or text.
pub enum Arg<'a> {
    Number(f64),
    Text(std::borrow::Cow<'a, str>),
}

impl From<i64> for Arg<'_> {
    fn from(n: i64) -> Self {
        Arg::Number(n as f64)
    }
}
impl From<usize> for Arg<'_> {
    fn from(n: usize) -> Self {
        Arg::Number(n as f64)
    }
}
impl From<u32> for Arg<'_> {
    fn from(n: u32) -> Self {
        Arg::Number(f64::from(n))
    }
}
impl From<u64> for Arg<'_> {
    fn from(n: u64) -> Self {
        Arg::Number(n as f64)
    }
}
impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Text(s.into())
    }
}
impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Text(s.as_str().into())
    }
}
impl From<String> for Arg<'_> {
    fn from(s: String) -> Self {
        Arg::Text(s.into())
    }
}

/// The words of one language from one catalogue: `Copy`, so views capture
/// it freely.
#[derive(Clone, Copy)]
pub struct Tr {
    pub language: Language,
    catalogue: &'static LazyLock<Catalogue>,
}

impl std::fmt::Debug for Tr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tr")
            .field("language", &self.language)
            .finish()
    }
}

impl PartialEq for Tr {
    fn eq(&self, other: &Self) -> bool {
        self.language == other.language && std::ptr::eq(self.catalogue, other.catalogue)
    }
}

impl Tr {
    /// Every message: staff pages, sign-in, enrolment.
    pub fn pages(language: Language) -> Tr {
        Tr {
            language,
            catalogue: &ALL,
        }
    }

    /// The phone app's messages only.
    pub fn phone(language: Language) -> Tr {
        Tr {
            language,
            catalogue: &PHONE,
        }
    }

    fn bundle(&self) -> &'static FluentBundle<FluentResource> {
        let catalogue: &'static Catalogue = self.catalogue;
        match self.language {
            Language::En => &catalogue.en,
            Language::ZhCn => &catalogue.zh,
        }
    }

    /// The message `id`; a missing one shows its id, which the tests catch.
    pub fn t(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with its slots filled.
    pub fn t_with(&self, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        let mut fluent = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Number(n) => fluent.set(*name, FluentValue::from(*n)),
                Arg::Text(s) => fluent.set(*name, FluentValue::from(s.as_ref())),
            }
        }
        self.format(id, Some(&fluent))
    }

    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundle = self.bundle();
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_owned();
        };
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }

    /// Whether the catalogue has `id` (for error codes the UI may not know).
    pub fn has(&self, id: &str) -> bool {
        self.bundle().has_message(id)
    }
}

/// The language the server chose for a page (its middleware puts this in
/// the request's extensions; `<html lang>` carries it to the browser).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLanguage(pub Language);

/// The language of the page being rendered or hydrated.
pub fn page_language() -> Language {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<PageLanguage>().copied())
            .map_or(Language::default(), |chosen| chosen.0)
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        // The server wrote its choice into <html lang>: hydration must
        // render the same words.
        leptos::prelude::document()
            .document_element()
            .and_then(|html| html.get_attribute("lang"))
            .and_then(|tag| Language::from_browser_tag(&tag))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        Language::default()
    }
}

/// The words of the current page (provided by `App`).
pub fn use_tr() -> Tr {
    leptos::prelude::use_context::<Tr>().unwrap_or_else(|| Tr::pages(page_language()))
}

#[cfg(test)]
mod tests;
