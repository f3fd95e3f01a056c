use leptos::prelude::*;

use crate::{
    session::{self, my_sessions},
    study::StudyBanner,
};

/// The devices signed in to this account; any of them can be ended here
/// (a lost phone, a shared computer).
#[component]
pub fn Sessions() -> impl IntoView {
    let end = ServerAction::<session::EndSession>::new();
    // Refetched whenever a session has been ended.
    let sessions = Resource::new(move || end.version().get(), |_| my_sessions());

    view! {
        <StudyBanner />
        <section class="card">
            <h1>"Signed-in devices"</h1>
            <Suspense fallback=|| view! { <p class="notice">"Loading…"</p> }>
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
                                                    <strong>{s.user_agent.unwrap_or_else(|| "Unknown device".into())}</strong>
                                                    <span>{format!("Signed in {}, last used {}", s.signed_in_at, s.last_used_at)}</span>
                                                    {if s.current {
                                                        view! { <em>"This device"</em> }.into_any()
                                                    } else {
                                                        view! {
                                                            <button class="button" on:click=move |_| { end.dispatch(session::EndSession { id }); }>
                                                                "End"
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
                        Err(error) => view! { <p class="notice error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <a class="button" href="/">"Back"</a>
        </section>
    }
}
