//! The emergency screen shown after a severe or potentially serious low.

use leptos::prelude::*;

use super::use_phone;
use crate::{domain::language::Language, phone::state::Screen};

/// After a severe or potentially serious low: the site's number to tap.
#[component]
pub(super) fn EmergencyScreen() -> impl IntoView {
    let phone = use_phone();
    let tr = phone.tr();
    let emergency = phone.owner().map(|o| o.emergency).unwrap_or_default();
    let dial: String = emergency
        .phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    let number = emergency.phone.clone();
    view! {
        <section class="card emergency" role="alert">
            <h1>{tr.t("phone-get-help")}</h1>
            <a class="button primary big call" href=format!("tel:{dial}")>
                {tr.t_with("phone-call-team", &[("phone", number.into())])}
            </a>
            {match tr.language {
                Language::En => view! { <p lang=Language::En.tag()>{emergency.advice_en.clone()}</p> },
                Language::ZhCn => view! { <p lang=Language::ZhCn.tag()>{emergency.advice_zh.clone()}</p> },
            }}
            <button type="button" class="button" on:click=move |_| phone.screen.set(Screen::Today)>{tr.t("common-close")}</button>
        </section>
    }
}
