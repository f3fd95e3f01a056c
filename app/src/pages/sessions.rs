use leptos::prelude::*;

use crate::{
    i18n::{Tr, format, use_tr},
    session::{self, my_sessions},
    study::StudyBanner,
};

/// The devices signed in to this account; any of them can be ended here
/// (a lost phone, a shared computer).
#[component]
pub fn Sessions() -> impl IntoView {
    let tr = use_tr();
    let end = ServerAction::<session::EndSession>::new();
    // Refetched whenever a session has been ended.
    let sessions = Resource::new(move || end.version().get(), |_| my_sessions());

    view! {
        <StudyBanner />
        <section class="card">
            <h1>{tr.t("sessions-title")}</h1>
            <Suspense fallback=move || view! { <p class="notice">{tr.t("common-loading")}</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(list) => {
                            view! {
                                <ul class="sessions">
                                    {list
                                        .into_iter()
                                        .map(|s| {
                                            let id = s.id;
                                            view! {
                                                <li>
                                                    <strong translate="no">{s.user_agent.unwrap_or_else(|| tr.t("sessions-unknown-device"))}</strong>
                                                    <span>{tr.t_with("sessions-times", &[("signed_in", when(tr, &s.signed_in_at).into()), ("last_used", when(tr, &s.last_used_at).into())])}</span>
                                                    {if s.current {
                                                        view! { <em>{tr.t("sessions-this-device")}</em> }.into_any()
                                                    } else {
                                                        view! {
                                                            <button class="button" on:click=move |_| { end.dispatch(session::EndSession { id }); }>
                                                                {tr.t("sessions-end")}
                                                            </button>
                                                        }
                                                            .into_any()
                                                    }}
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <p class="notice error" role="alert">{error.message(tr)}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <a class="button" href="/">{tr.t("sessions-back")}</a>
        </section>
    }
}

/// A server time (RFC 3339, UTC) as the page's language writes it, marked UTC:
/// the account may span sites in several zones.
fn when(tr: Tr, at: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(at) {
        Ok(at) => format!("{} UTC", format::date_time(tr.language, at.naive_utc())),
        Err(_) => at.to_owned(),
    }
}
