use leptos::{ev::SubmitEvent, prelude::*};
use uuid::Uuid;

use crate::{
    i18n::{Tr, use_tr},
    pages::words::{self, Part, Rich},
    participants::{self, NewEnrolment, my_sites},
    study::StudyBanner,
};

/// The example study id the form shows (the first site's style).
const STUDY_ID_EXAMPLE: &str = "QD-001";

/// What the form itself finds missing, before asking the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Missing {
    Site,
    BirthYear,
    StudyId,
    DiagnosisDate,
    Weight,
}

impl Missing {
    fn message(self, tr: Tr) -> Rich {
        Rich::text(match self {
            Missing::Site => tr.t("new-participant-missing-site"),
            Missing::BirthYear => tr.t("new-participant-missing-birth-year"),
            Missing::StudyId => {
                return Rich::new(
                    tr.t_with(
                        "new-participant-missing-study-id",
                        &[("example", words::slot(0).into())],
                    ),
                    vec![Part::Data(STUDY_ID_EXAMPLE.into())],
                );
            }
            Missing::DiagnosisDate => tr.t("new-participant-missing-diagnosis-date"),
            Missing::Weight => tr.t("new-participant-bad-weight"),
        })
    }
}

/// For investigators: add a participant, then show or print the one-time
/// enrolment code and its QR code for the family.
#[component]
pub fn NewParticipant() -> impl IntoView {
    let tr = use_tr();
    let sites = Resource::new(|| (), |_| my_sites());
    let site = RwSignal::new(String::new());
    let study_id = RwSignal::new(String::new());
    let birth_year = RwSignal::new(String::new());
    let diagnosis_date = RwSignal::new(String::new());
    let weight = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Missing>);
    let add = ServerAction::<participants::AddParticipant>::new();

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let site_id = Uuid::parse_str(&site.get()).ok();
        let year = birth_year.get().trim().parse::<i32>().ok();
        let weight_text = weight.get().trim().replace(',', ".");
        let weight_kg = weight_text.parse::<f64>().ok().filter(|w| w.is_finite());
        let missing = match (site_id, year) {
            (None, _) => Some(Missing::Site),
            (_, None) => Some(Missing::BirthYear),
            _ if study_id.get().trim().is_empty() => Some(Missing::StudyId),
            _ if diagnosis_date.get().is_empty() => Some(Missing::DiagnosisDate),
            _ if !weight_text.is_empty() && weight_kg.is_none() => Some(Missing::Weight),
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
            .map(|m| m.message(tr))
            .or_else(|| match add.value().get() {
                Some(Err(error)) => Some(Rich::text(error.message(tr))),
                _ => None,
            })
            .map(Rich::into_view)
    };
    let created = move || add.value().get().and_then(Result::ok);

    view! {
        <StudyBanner />
        <Show
            when=move || created().is_none()
            fallback=move || created().map(|enrolment| view! { <EnrolmentCard enrolment /> })
        >
            <section class="card staff-page">
                <h1>{tr.t("new-participant-title")}</h1>
                <form method="post" on:submit=on_submit novalidate>
                    <label for="site">{tr.t("new-participant-site")}</label>
                    <Suspense fallback=move || view! { <p class="notice">{tr.t("new-participant-loading-sites")}</p> }>
                        {move || Suspend::new(async move {
                            match sites.await {
                                Err(e) => view! { <p class="notice error" role="alert">{e.message(tr)}</p> }.into_any(),
                                Ok(choices) if choices.is_empty() => {
                                    view! { <p class="notice error" role="alert">{tr.t("new-participant-no-sites")}</p> }.into_any()
                                }
                                Ok(choices) => {
                                    if let (Some(first), true) = (choices.first(), site.get_untracked().is_empty()) {
                                        site.set(first.id.to_string());
                                    }
                                    view! {
                                        <select id="site" name="site" bind:value=site>
                                            {choices
                                                .into_iter()
                                                .map(|s| {
                                                    let label = tr.t_with(
                                                        "new-participant-site-option",
                                                        &[("code", (&s.code).into()), ("name", (&s.name).into())],
                                                    );
                                                    // The site's code and name are data.
                                                    view! { <option value=s.id.to_string() translate="no">{label}</option> }
                                                })
                                                .collect_view()}
                                        </select>
                                    }.into_any()
                                }
                            }
                        })}
                    </Suspense>
                    <label for="study_id">{tr.t("new-participant-study-id")}</label>
                    <input id="study_id" name="study_id" type="text" autocapitalize="characters"
                        aria-describedby="study_id-hint" bind:value=study_id />
                    <p class="hint" id="study_id-hint">
                        {Rich::new(
                            tr.t_with("new-participant-study-id-hint", &[("example", words::slot(0).into())]),
                            vec![Part::Data(STUDY_ID_EXAMPLE.into())],
                        ).into_view()}
                    </p>
                    <label for="birth_year">{tr.t("new-participant-birth-year")}</label>
                    <input id="birth_year" name="birth_year" type="text" inputmode="numeric" bind:value=birth_year />
                    <label for="diagnosis_date">{tr.t("new-participant-diagnosis-date")}</label>
                    <input id="diagnosis_date" name="diagnosis_date" type="date" lang=tr.language.tag()
                        aria-describedby="diagnosis_date-hint" bind:value=diagnosis_date />
                    <p class="hint" id="diagnosis_date-hint">{tr.t("staff-date-hint")}</p>
                    <label for="weight">{tr.t("new-participant-weight")}</label>
                    <input id="weight" name="weight" type="text" inputmode="decimal" bind:value=weight />
                    <p class="notice" role="status" aria-live="polite">{message}</p>
                    <button type="submit" class="button primary" disabled=move || add.pending().get()>
                        {tr.t("new-participant-submit")}
                    </button>
                </form>
            </section>
        </Show>
    }
}

/// The new participant's code, and a button to invite a guardian too.
#[component]
fn EnrolmentCard(enrolment: NewEnrolment) -> impl IntoView {
    let tr = use_tr();
    let participant_id = enrolment.participant_id;
    let invite = ServerAction::<participants::InviteGuardian>::new();
    view! {
        <CodeCard enrolment />
        <section class="card staff-page">
            <p class="page-actions">
                <button
                    class="button"
                    disabled=move || invite.pending().get()
                    on:click=move |_| {
                        invite.dispatch(participants::InviteGuardian { participant_id });
                    }
                >
                    {tr.t("new-participant-invite-guardian")}
                </button>
                <a class="button" href="/participants/new" rel="external">{tr.t("new-participant-add-another")}</a>
            </p>
            <p class="notice error" role="alert">
                {move || invite.value().get().and_then(Result::err).map(|e| e.message(tr))}
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
    let tr = use_tr();
    let print = move |_| {
        if let Ok(window) = web_sys_window() {
            let _ = window.print();
        }
    };
    let study = [("study_id", (&enrolment.study_id).into())];
    let title = if enrolment.for_guardian {
        tr.t_with("new-participant-guardian-title", &study)
    } else {
        tr.t_with("new-participant-code-title", &study)
    };
    let lead = tr.t_with(
        "new-participant-code-lead",
        &[(
            "expires",
            words::device_time(tr, enrolment.expires_at).into(),
        )],
    );
    view! {
        <section class="card enrolment">
            <h1>{title}</h1>
            <p class="lead">{lead}</p>
            <p class="code" translate="no" aria-label=tr.t("new-participant-code-label")>{enrolment.code}</p>
            <div class="qr" inner_html=enrolment.qr_svg></div>
            <p class="link" translate="no">{enrolment.link}</p>
            <button class="button" on:click=print>{tr.t("new-participant-print")}</button>
        </section>
    }
}

fn web_sys_window() -> Result<leptos::web_sys::Window, ()> {
    leptos::web_sys::window().ok_or(())
}
