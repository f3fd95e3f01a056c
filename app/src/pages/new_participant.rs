use leptos::{ev::SubmitEvent, prelude::*};
use uuid::Uuid;

use crate::{
    participants::{self, NewEnrolment, my_sites},
    study::StudyBanner,
};

/// For investigators: add a participant, then show or print the one-time
/// enrolment code and its QR code for the family.
#[component]
pub fn NewParticipant() -> impl IntoView {
    let sites = Resource::new(|| (), |_| my_sites());
    let site = RwSignal::new(String::new());
    let study_id = RwSignal::new(String::new());
    let birth_year = RwSignal::new(String::new());
    let diagnosis_date = RwSignal::new(String::new());
    let weight = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<&'static str>);
    let add = ServerAction::<participants::AddParticipant>::new();

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let site_id = Uuid::parse_str(&site.get()).ok();
        let year = birth_year.get().trim().parse::<i32>().ok();
        let weight_kg = weight.get().trim().replace(',', ".").parse::<f64>().ok();
        let missing = match (site_id, year) {
            (None, _) => Some("Choose the site."),
            (_, None) => Some("Enter the year of birth, such as 2014."),
            _ if study_id.get().trim().is_empty() => Some("Enter the study id, such as QD-001."),
            _ if diagnosis_date.get().is_empty() => Some("Enter the date of diagnosis."),
            _ => None,
        };
        problem.set(missing);
        if let (None, Some(site_id), Some(birth_year)) = (missing, site_id, year) {
            add.dispatch(participants::AddParticipant {
                site_id,
                study_id: study_id.get(),
                birth_year,
                diagnosis_date: diagnosis_date.get(),
                weight_kg,
            });
        }
    };
    let message = move || {
        problem
            .get()
            .map(str::to_owned)
            .or_else(|| match add.value().get() {
                Some(Err(error)) => Some(error.to_string()),
                _ => None,
            })
    };
    let created = move || add.value().get().and_then(Result::ok);

    view! {
        <StudyBanner />
        <Show
            when=move || created().is_none()
            fallback=move || created().map(|enrolment| view! { <EnrolmentCard enrolment /> })
        >
            <section class="card">
                <h1>"Add a participant"</h1>
                <form method="post" on:submit=on_submit novalidate>
                    <label for="site">"Site"</label>
                    <Suspense fallback=|| view! { <p class="notice">"Loading sites…"</p> }>
                        {move || Suspend::new(async move {
                            let choices = sites.await.unwrap_or_default();
                            if let (Some(first), true) = (choices.first(), site.get_untracked().is_empty()) {
                                site.set(first.id.to_string());
                            }
                            view! {
                                <select id="site" name="site" bind:value=site>
                                    {choices
                                        .into_iter()
                                        .map(|s| view! { <option value=s.id.to_string()>{format!("{} – {}", s.code, s.name)}</option> })
                                        .collect_view()}
                                </select>
                            }
                        })}
                    </Suspense>
                    <label for="study_id">"Study id"</label>
                    <input id="study_id" name="study_id" type="text" autocapitalize="characters" bind:value=study_id />
                    <label for="birth_year">"Year of birth"</label>
                    <input id="birth_year" name="birth_year" type="text" inputmode="numeric" bind:value=birth_year />
                    <label for="diagnosis_date">"Date of diagnosis"</label>
                    <input id="diagnosis_date" name="diagnosis_date" type="date" bind:value=diagnosis_date />
                    <label for="weight">"Weight in kg (optional)"</label>
                    <input id="weight" name="weight" type="text" inputmode="decimal" bind:value=weight />
                    <p class="notice" role="status" aria-live="polite">{message}</p>
                    <button type="submit" class="button primary" disabled=move || add.pending().get()>
                        "Add and show the enrolment code"
                    </button>
                </form>
            </section>
        </Show>
    }
}

/// The new participant's code, and a button to invite a guardian too.
#[component]
fn EnrolmentCard(enrolment: NewEnrolment) -> impl IntoView {
    let participant_id = enrolment.participant_id;
    let invite = ServerAction::<participants::InviteGuardian>::new();
    view! {
        <CodeCard enrolment />
        <section class="card">
            <button
                class="button"
                disabled=move || invite.pending().get()
                on:click=move |_| {
                    invite.dispatch(participants::InviteGuardian { participant_id });
                }
            >
                "Invite a guardian"
            </button>
            <a class="button" href="/participants/new" rel="external">"Add another participant"</a>
            <p class="notice error" role="alert">
                {move || invite.value().get().and_then(Result::err).map(|e| e.to_string())}
            </p>
        </section>
        {move || {
            invite.value().get().and_then(Result::ok).map(|guardian| view! { <CodeCard enrolment=guardian /> })
        }}
    }
}

/// A one-time code as text, QR code and link, ready to print.
#[component]
fn CodeCard(enrolment: NewEnrolment) -> impl IntoView {
    let print = move |_| {
        if let Ok(window) = web_sys_window() {
            let _ = window.print();
        }
    };
    let title = if enrolment.for_guardian {
        format!("Guardian invitation for {}", enrolment.study_id)
    } else {
        format!("Enrolment code for {}", enrolment.study_id)
    };
    view! {
        <section class="card enrolment">
            <h1>{title}</h1>
            <p class="lead">"Give this to the participant or their parent. It works once, until "{enrolment.expires_at}"."</p>
            <p class="code" aria-label="Enrolment code">{enrolment.code}</p>
            <div class="qr" inner_html=enrolment.qr_svg></div>
            <p class="link">{enrolment.link}</p>
            <button class="button" on:click=print>"Print"</button>
        </section>
    }
}

fn web_sys_window() -> Result<leptos::web_sys::Window, ()> {
    leptos::web_sys::window().ok_or(())
}
