//! The phone app's screens: Today, the three log forms, the emergency
//! screen, History and Settings. State and saving live in `state`.
//!
//! This module holds the app's shell (header, status line, navigation) and
//! the helpers the screens share; each screen or form has its own module.

mod emergency;
mod form;
mod glucose_form;
mod history;
mod insulin_form;
mod low_form;
mod settings;
mod today;

use chrono::{DateTime, FixedOffset};
use leptos::{
    either::{Either, EitherOf4, EitherOf7},
    prelude::*,
};

use self::{
    emergency::EmergencyScreen, glucose_form::GlucoseForm, history::HistoryScreen,
    insulin_form::InsulinForm, low_form::LowForm, settings::SettingsScreen, today::TodayScreen,
};
use crate::{
    domain::{
        entry::EntryData,
        glucose::{self, GlucoseUnit, GlucoseValue, MeterFlag},
    },
    i18n::format,
    phone::{
        i18n,
        model::Row,
        state::{Load, Phone, Screen, SyncState, now, show_language},
    },
};

/// The whole phone app, mounted into the `/diary` page by `phone-frontend`.
#[component]
pub fn PhoneApp() -> impl IntoView {
    let phone = Phone::new();
    provide_context(phone);
    Effect::new(move |_| {
        phone.start();
        // Send when the network comes back and when the app is looked at again.
        let online = window_event_listener(leptos::ev::online, move |_| phone.sync_now());
        let visible = window_event_listener_untyped("visibilitychange", move |_| {
            if document().visibility_state() == web_sys::VisibilityState::Visible {
                phone.sync_now();
            }
        });
        on_cleanup(move || {
            online.remove();
            visible.remove();
        });
    });
    // The offline shell (public/sw.js), once the app is up: its first fill
    // must not compete with the first screen on a slow network.
    Effect::new(move |registered: Option<bool>| {
        if registered == Some(true) || phone.load.get() != Load::Ready {
            return registered.unwrap_or(false);
        }
        let _ = window().navigator().service_worker().register("/sw.js");
        true
    });
    // The page's language follows the app's.
    Effect::new(move |_| show_language(phone.language()));
    view! {
        <div class="phone">
            // Words are put in place when a screen is drawn: a change of
            // language (or of any setting) draws the app again.
            {move || {
                phone.settings.track();
                let tr = phone.tr();
                match phone.load.get() {
                Load::Opening => EitherOf4::A(view! { <p class="notice">{tr.t("phone-opening")}</p> }),
                Load::NoSession => EitherOf4::B(view! {
                    <section class="card">
                        <p class="lead">{tr.t("phone-sign-in-to-open")}</p>
                        <a class="button primary" href="/">{tr.t("phone-sign-in")}</a>
                    </section>
                }),
                Load::NoDiary => EitherOf4::C(view! { <p class="notice">{tr.t("phone-no-diary")}</p> }),
                Load::Ready => EitherOf4::D(view! {
                    <Header />
                    <StatusLine />
                    <div class="screen">{move || screen_view(phone.screen.get())}</div>
                    <NavBar />
                }),
            }}}
        </div>
    }
}

fn screen_view(screen: Screen) -> impl IntoView + use<> {
    match screen {
        Screen::Today => EitherOf7::A(view! { <TodayScreen /> }),
        Screen::Glucose(editing) => EitherOf7::B(view! { <GlucoseForm editing /> }),
        Screen::Insulin(editing) => EitherOf7::C(view! { <InsulinForm editing /> }),
        Screen::Low(editing) => EitherOf7::D(view! { <LowForm editing /> }),
        Screen::Emergency => EitherOf7::E(view! { <EmergencyScreen /> }),
        Screen::History => EitherOf7::F(view! { <HistoryScreen /> }),
        Screen::Settings => EitherOf7::G(view! { <SettingsScreen /> }),
    }
}

fn use_phone() -> Phone {
    expect_context::<Phone>()
}

/// Whose diary this is, always in sight; guardians switch with one tap.
#[component]
fn Header() -> impl IntoView {
    let phone = use_phone();
    let tr = phone.tr();
    let owners = move || {
        phone
            .profile
            .with(|p| p.as_ref().map(|p| p.owners.clone()).unwrap_or_default())
    };
    let demo = move || {
        phone
            .profile
            .with(|p| p.as_ref().is_some_and(|p| p.is_demo))
    };
    view! {
        <header class="app-header">
            <p class="app-name">{tr.t("phone-app-name")}
                <Show when=demo>" "<span class="badge">{tr.t("phone-demo-badge")}</span></Show>
            </p>
            <div class="child" role="group" aria-label=tr.t("phone-logging-for")>
                {move || {
                    let list = owners();
                    let many = list.len() > 1;
                    list.into_iter().map(|o| {
                        let id = o.participant_id;
                        let label = match &o.name {
                            Some(name) => format!("{name} · {}", o.study_id),
                            None => o.study_id.clone(),
                        };
                        let current = move || phone.child.get() == Some(id);
                        if many {
                            Either::Left(view! {
                                <button type="button" class="child-choice" translate="no"
                                    aria-pressed=move || current().to_string()
                                    on:click=move |_| phone.child.set(Some(id))
                                >{label}</button>
                            })
                        } else {
                            Either::Right(view! { <p class="child-choice current" translate="no">{label}</p> })
                        }
                    }).collect_view()
                }}
            </div>
        </header>
    }
}

/// Pending count, last sync and refusals, in one line.
#[component]
fn StatusLine() -> impl IntoView {
    let phone = use_phone();
    let tr = phone.tr();
    let text = move || {
        let (pending, refused) = phone.counts();
        let state = phone.sync.get();
        let mut parts = Vec::new();
        if state == SyncState::SignedOut {
            parts.push(tr.t("phone-sign-in-again"));
        }
        if refused > 0 {
            parts.push(tr.t_with("phone-status-refused", &[("n", refused.into())]));
        }
        if pending > 0 {
            parts.push(tr.t_with("phone-status-pending", &[("n", pending.into())]));
        }
        match state {
            SyncState::Sending if pending > 0 => parts.push(tr.t("phone-status-sending")),
            SyncState::Offline => parts.push(tr.t("phone-status-offline")),
            _ => {}
        }
        if pending == 0 && refused == 0 && state != SyncState::SignedOut {
            parts.push(match phone.last_sync.get() {
                Some(at) => tr.t_with("phone-status-sent", &[("time", clock(at).into())]),
                None => tr.t("phone-status-never-sent"),
            });
        }
        parts.join(" · ")
    };
    view! {
        <div class="status" role="status" aria-live="polite"
            data-pending=move || phone.counts().0.to_string()
            data-state=move || phone.sync.get().as_str()
        >
            <span>{text}</span>
            {move || match phone.sync.get() {
                SyncState::SignedOut => Either::Left(view! { <a class="button small" href="/">{tr.t("phone-sign-in")}</a> }),
                _ => Either::Right(view! {
                    <button type="button" class="button small" on:click=move |_| phone.sync_now()>{tr.t("phone-sync-now")}</button>
                }),
            }}
        </div>
    }
}

#[component]
fn NavBar() -> impl IntoView {
    let phone = use_phone();
    let tr = phone.tr();
    let tab = move |target: Screen, label: String| {
        let here = {
            let target = target.clone();
            move || std::mem::discriminant(&phone.screen.get()) == std::mem::discriminant(&target)
        };
        let current = here.clone();
        view! {
            <button type="button" class="nav-tab"
                aria-current=move || current().then_some("page")
                on:click=move |_| { phone.flash.set(None); phone.screen.set(target.clone()) }
            >{label}</button>
        }
    };
    view! {
        <nav class="nav-bar" aria-label=tr.t("phone-app-name")>
            {tab(Screen::Today, tr.t("phone-today"))}
            {tab(Screen::History, tr.t("phone-history"))}
            {tab(Screen::Settings, tr.t("phone-settings"))}
        </nav>
    }
}

/// The time of day on the phone's clock: "07:30".
fn clock(at: DateTime<FixedOffset>) -> String {
    format::time(at.with_timezone(&offset()).naive_local())
}

fn offset() -> FixedOffset {
    now().timezone()
}

/// A reading as the person reads it: in their unit, "LO"/"HI" as is.
fn reading_text(value: GlucoseValue, entered: GlucoseUnit, shown: GlucoseUnit) -> String {
    match value {
        GlucoseValue::Flag(MeterFlag::Lo) => "LO".to_owned(),
        GlucoseValue::Flag(MeterFlag::Hi) => "HI".to_owned(),
        GlucoseValue::Number(n) => glucose::display(glucose::to_mg_dl(n, entered), shown),
    }
}

/// One line saying what an entry holds.
fn summary(phone: &Phone, row: &Row) -> String {
    let tr = phone.tr();
    let unit = phone.unit();
    match &row.parsed {
        Some(EntryData::Glucose(g)) => tr.t_with(
            "phone-glucose-line",
            &[
                ("value", reading_text(g.value, g.unit, unit).into()),
                ("unit", i18n::unit_name(unit).into()),
                ("context", i18n::context(tr, g.context).into()),
            ],
        ),
        Some(EntryData::Insulin(i)) => tr.t_with(
            "phone-insulin-line",
            &[
                ("u", format::number(i.units, 2).into()),
                ("type", i18n::insulin_type(tr, i.insulin_type).into()),
                ("purpose", i18n::purpose(tr, i.purpose).into()),
            ],
        ),
        Some(EntryData::Hypo(_)) => tr.t_with(
            "phone-low-line",
            &[(
                "level",
                row.classification
                    .map(|c| i18n::level_text(tr, &c))
                    .unwrap_or_default()
                    .into(),
            )],
        ),
        None => tr.t("phone-low"),
    }
}
