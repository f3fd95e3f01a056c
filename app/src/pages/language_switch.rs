use leptos::prelude::*;

use crate::{i18n::use_tr, session};

/// One tap to the other language, on every page. A plain form: it works
/// before the WASM has arrived (the server answers with the page again).
/// The other language's name is written in itself, marked with its `lang`.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let tr = use_tr();
    let other = tr.language.other();
    let switch = ServerAction::<session::SetLanguage>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = switch.value().get() {
            // Every word on the page changes: the simplest right thing is
            // to load it again in the new language.
            #[cfg(feature = "hydrate")]
            {
                let _ = window().location().reload();
            }
        }
    });
    view! {
        <ActionForm action=switch attr:class="language-switch">
            <span>{tr.t("common-language")}": "</span>
            <input type="hidden" name="language" value=other.tag() />
            <button type="submit" class="link" lang=other.tag()>
                {other.endonym()}
            </button>
        </ActionForm>
    }
}
