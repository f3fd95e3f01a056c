//! The phone app's screens: Today, the three log forms, the emergency
//! screen, History and Settings. State and saving live in `state`.

use chrono::{DateTime, FixedOffset, Timelike};
use leptos::{
    either::{Either, EitherOf3, EitherOf4, EitherOf7},
    ev::SubmitEvent,
    prelude::*,
};

use crate::{
    domain::{
        classification::Classification,
        entry::{
            EntryData, FieldErrors, GlucoseContext, GlucoseData, GlucoseSource, HypoData,
            InsulinData, InsulinPurpose, InsulinType, Kind, Treatment,
        },
        glucose::{self, GlucoseUnit, GlucoseValue, GlucoseWarning, MeterFlag},
        language::Language,
        mutation::Op,
    },
    i18n::format,
    phone::{
        chart::GlucoseChart,
        i18n,
        model::{self, OutMutation, Refusal, Row, RowState, read_number},
        state::{Editing, Load, Phone, Screen, Settings, SyncState, now, show_language},
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

#[component]
fn TodayScreen() -> impl IntoView {
    let phone = use_phone();
    let tr = phone.tr();
    let figures = Memo::new(move |_| {
        let rows = phone.rows();
        model::today(&rows, now().date_naive(), offset())
    });
    let reminder_due = move || {
        let due = phone.settings.with(|s| s.reminder.clone()).and_then(|r| {
            let (h, m) = r.split_once(':')?;
            Some((h.parse::<u32>().ok()?, m.parse::<u32>().ok()?))
        });
        let n = now();
        due.is_some_and(|(h, m)| (n.hour(), n.minute()) >= (h, m))
            && figures.with(|f| f.readings == 0)
    };
    let go = move |screen: Screen| {
        move |_| {
            phone.flash.set(None);
            phone.screen.set(screen.clone());
        }
    };
    view! {
        <h1 class="visually-hidden">{tr.t("phone-today")}</h1>
        <Show when=move || phone.flash.get().is_some()>
            <p class="notice ok" role="status">{move || phone.flash.get()}</p>
        </Show>
        <Show when=reminder_due>
            <p class="notice warn">{tr.t("phone-reminder-due")}</p>
        </Show>
        <section class="card figures">
            <div class="figure">
                <h2>{tr.t("phone-last-glucose")}</h2>
                {move || match figures.get().last_glucose {
                    Some((value, unit, at)) => Either::Left(view! {
                        <p class="big-number">
                            {reading_text(value, unit, phone.unit())}" "
                            <span class="unit">{i18n::unit_name(phone.unit())}</span>
                        </p>
                        <p class="meta">{i18n::day(tr, model::local_date(at, offset()), now().date_naive())}" "{clock(at)}</p>
                    }),
                    None => Either::Right(view! { <p class="meta">{tr.t("phone-no-readings")}</p> }),
                }}
            </div>
            <div class="figure">
                <h2>{tr.t("phone-insulin-today")}</h2>
                <p class="big-number">{move || format::number(figures.get().insulin_units, 2)}</p>
                <p class="meta">{move || {
                    let f = figures.get();
                    i18n::insulin_total(tr, f.insulin_units, f.doses)
                }}</p>
            </div>
        </section>
        <div class="log-buttons">
            <button type="button" class="button big glucose" on:click=go(Screen::Glucose(Editing::New))>{tr.t("phone-glucose")}</button>
            <button type="button" class="button big insulin" on:click=go(Screen::Insulin(Editing::New))>{tr.t("phone-insulin")}</button>
            <button type="button" class="button big low" on:click=go(Screen::Low(Editing::New))>{tr.t("phone-low")}</button>
        </div>
        <section class="card">
            <h2>{tr.t("phone-lows-today")}</h2>
            {move || {
                let lows = figures.get().lows;
                if lows.is_empty() {
                    Either::Left(view! { <p class="meta">{tr.t("phone-no-lows-today")}</p> })
                } else {
                    Either::Right(view! {
                        <ul class="entries">
                            {lows.into_iter().map(|row| view! {
                                <li>{row.event_at().map(clock)}" "{summary(&phone, &row)}</li>
                            }).collect_view()}
                        </ul>
                    })
                }
            }}
        </section>
    }
}

/// What a form shares: the event time, the reason for a change, saving.
#[derive(Clone, Copy)]
struct FormBase {
    when: RwSignal<String>,
    reason: RwSignal<String>,
    problem: RwSignal<Option<String>>,
}

impl FormBase {
    fn new(editing: &Editing) -> Self {
        let at = match editing {
            Editing::New => now(),
            Editing::Change(row) | Editing::Fix(row, _) => row.event_at().unwrap_or_else(now),
        };
        Self {
            when: RwSignal::new(model::local_input(at, offset())),
            reason: RwSignal::new(String::new()),
            problem: RwSignal::new(None),
        }
    }

    /// Checks the data as the server will, then queues it.
    fn submit(&self, phone: &Phone, editing: &Editing, data: EntryData, then: Screen) -> bool {
        let Some(participant) = phone.child.get_untracked() else {
            return false;
        };
        let checked = match data.check() {
            Ok(checked) => checked,
            Err(fields) => {
                self.problem
                    .set(Some(field_problem(phone, &fields, data.kind())));
                return false;
            }
        };
        let reason = self.reason.get_untracked().trim().to_owned();
        if matches!(editing, Editing::Change(_)) && reason.is_empty() {
            self.problem.set(Some(phone.tr().t("phone-reason-needed")));
            return false;
        }
        let id = Phone::new_id();
        let (op, entry_id, base_version, drop) = match editing {
            Editing::New => (Op::Create, id, None, None),
            Editing::Change(row) => (Op::Amend, row.entry_id, Some(row.version), None),
            Editing::Fix(row, key) if row.version == 0 => (Op::Create, id, None, Some(key.clone())),
            Editing::Fix(row, key) => (
                Op::Amend,
                row.entry_id,
                Some(row.version),
                Some(key.clone()),
            ),
        };
        let reason = match op {
            Op::Create => None,
            _ if reason.is_empty() => Some(phone.tr().t("phone-fix-it")),
            _ => Some(reason),
        };
        let mutation = OutMutation {
            id,
            participant_id: participant,
            entry_id,
            op,
            kind: data.kind(),
            base_version,
            reason,
            recorded_at: now().to_rfc3339(),
            data: Some(data.to_json()),
        };
        let message = if checked.warnings.contains(&GlucoseWarning::UnitMixup) {
            phone.tr().t("phone-saved-unit-mixup")
        } else {
            phone.tr().t("phone-saved")
        };
        phone.save(mutation, drop, message);
        phone.screen.set(then);
        true
    }

    fn event_time(&self, phone: &Phone) -> Option<DateTime<FixedOffset>> {
        let at = model::read_local_input(&self.when.get_untracked(), offset());
        if at.is_none() {
            self.problem.set(Some(phone.tr().t("phone-err-time")));
        }
        at
    }
}

/// A field error from the shared checks, in the person's language. The
/// checks' own reasons are English: other languages get a plain sentence
/// for a field the form has no words of its own for.
fn field_problem(phone: &Phone, fields: &FieldErrors, kind: Kind) -> String {
    let tr = phone.tr();
    let unit = phone.unit();
    let key = fields.keys().next().map(String::as_str).unwrap_or_default();
    match key {
        "data.value" | "data.glucose_value" => tr.t_with(
            "phone-out-of-range",
            &[("unit", i18n::unit_name(unit).into())],
        ),
        "data.units" => tr.t("phone-dose-range"),
        _ if kind == Kind::Glucose => tr.t("phone-enter-reading"),
        _ => match (tr.language, fields.values().next()) {
            (Language::En, Some(why)) => why.clone(),
            _ => tr.t("errors-invalid-other"),
        },
    }
}

/// Why the server did not accept a change, in the person's language. The
/// server's own message is English: other languages get the rule of the
/// field it names, or a plain sentence.
fn refusal_reason(phone: &Phone, refusal: &Refusal, kind: Kind) -> String {
    let tr = phone.tr();
    let fields = &refusal.fields;
    let has_own_words = ["data.value", "data.glucose_value", "data.units"];
    match refusal.code.as_str() {
        "conflict" => tr.t("phone-err-conflict"),
        _ if fields.keys().any(|f| f.ends_with("_at")) => tr.t("phone-err-time"),
        _ if fields.keys().any(|f| has_own_words.contains(&f.as_str())) => {
            field_problem(phone, fields, kind)
        }
        "not_found" => tr.t("phone-refused-not-yours"),
        // The phone's own stand-in (sync.rs) when the server gave no reason.
        "rejected" => tr.t("phone-refused-other"),
        _ if tr.language == Language::En && !refusal.message.is_empty() => refusal.message.clone(),
        _ => tr.t("phone-refused-other"),
    }
}

#[component]
fn FormFooter(base: FormBase, editing: Editing) -> impl IntoView {
    let phone = use_phone();
    let tr = phone.tr();
    let changing = !matches!(editing, Editing::New);
    view! {
        <label for="event_time">{tr.t("phone-event-time")}</label>
        <input id="event_time" type="datetime-local" bind:value=base.when />
        {changing.then(|| view! {
            <label for="reason">{tr.t("phone-reason-edit")}</label>
            <input id="reason" type="text" bind:value=base.reason />
        })}
        <p class="notice error" role="alert">{move || base.problem.get()}</p>
        <div class="form-actions">
            <button type="submit" class="button primary big">{tr.t("common-save")}</button>
            <button type="button" class="button" on:click=move |_| phone.screen.set(if changing { Screen::History } else { Screen::Today })>
                {tr.t("common-cancel")}
            </button>
        </div>
    }
}

fn editing_row(editing: &Editing) -> Option<&Row> {
    match editing {
        Editing::New => None,
        Editing::Change(row) | Editing::Fix(row, _) => Some(row),
    }
}

fn after_save(editing: &Editing) -> Screen {
    match editing {
        Editing::New => Screen::Today,
        _ => Screen::History,
    }
}

#[component]
fn GlucoseForm(editing: Editing) -> impl IntoView {
    let phone = use_phone();
    let tr = phone.tr();
    let base = FormBase::new(&editing);
    let old = editing_row(&editing).and_then(|r| match &r.parsed {
        Some(EntryData::Glucose(g)) => Some(g.clone()),
        _ => None,
    });
    let value = RwSignal::new(match old.as_ref().map(|g| g.value) {
        Some(GlucoseValue::Number(n)) => format::number(n, 1),
        Some(GlucoseValue::Flag(MeterFlag::Lo)) => "LO".to_owned(),
        Some(GlucoseValue::Flag(MeterFlag::Hi)) => "HI".to_owned(),
        None => String::new(),
    });
    let unit = RwSignal::new(old.as_ref().map_or_else(|| phone.unit(), |g| g.unit));
    let context = RwSignal::new(
        old.as_ref()
            .map_or_else(|| model::context_at(now()), |g| g.context),
    );
    let warning = move || {
        let n = read_number(&value.get())?;
        let unit = unit.get();
        let other = if unit == GlucoseUnit::MgDl {
            GlucoseUnit::MmolL
        } else {
            GlucoseUnit::MgDl
        };
        match glucose::assess(n, unit) {
            Ok(None) => None,
            Ok(Some(GlucoseWarning::UnitMixup)) => Some(tr.t_with(
                "phone-unit-mixup",
                &[
                    ("other", i18n::unit_name(other).into()),
                    ("unit", i18n::unit_name(unit).into()),
                ],
            )),
            Err(_) => Some(tr.t_with(
                "phone-out-of-range",
                &[("unit", i18n::unit_name(unit).into())],
            )),
        }
    };
    let editing_for_save = editing.clone();
    let save = move |reading: Option<GlucoseValue>| {
        let Some(at) = base.event_time(&phone) else {
            return;
        };
        let text = value.get_untracked().trim().to_ascii_uppercase();
        let reading = reading.or(match text.as_str() {
            "LO" => Some(GlucoseValue::Flag(MeterFlag::Lo)),
            "HI" => Some(GlucoseValue::Flag(MeterFlag::Hi)),
            _ => read_number(&text).map(GlucoseValue::Number),
        });
        let Some(reading) = reading else {
            base.problem.set(Some(tr.t("phone-enter-reading")));
            return;
        };
        let data = EntryData::Glucose(GlucoseData {
            measured_at: at,
            value: reading,
            unit: unit.get_untracked(),
            context: context.get_untracked(),
            source: old.as_ref().map_or(GlucoseSource::Meter, |g| g.source),
            note: old.as_ref().and_then(|g| g.note.clone()),
        });
        base.submit(
            &phone,
            &editing_for_save,
            data,
            after_save(&editing_for_save),
        );
    };
    let on_submit = {
        let save = save.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            save(None);
        }
    };
    let flag = {
        let save = save.clone();
        move |f: MeterFlag| {
            let save = save.clone();
            move |_| save(Some(GlucoseValue::Flag(f)))
        }
    };
    let title = if matches!(editing, Editing::New) {
        tr.t("phone-log-glucose")
    } else {
        tr.t("phone-edit-glucose")
    };
    let contexts = [
        GlucoseContext::Fasting,
        GlucoseContext::BeforeMeal,
        GlucoseContext::AfterMeal,
        GlucoseContext::Bedtime,
        GlucoseContext::Overnight,
        GlucoseContext::Other,
    ];
    view! {
        <form class="card log-form" on:submit=on_submit novalidate>
            <h1>{title}</h1>
            <label for="glucose_value">{tr.t("phone-reading")}" "<span class="hint">{tr.t("phone-reading-hint")}</span></label>
            <div class="reading-row">
                <input id="glucose_value" type="text" inputmode="decimal" autocomplete="off" bind:value=value autofocus />
                <span class="unit" aria-hidden="true">{move || i18n::unit_name(unit.get())}</span>
            </div>
            <p class="notice warn" aria-live="polite">{warning}</p>
            <div class="chips flags">
                <button type="button" class="button" on:click=flag(MeterFlag::Lo)>"LO"</button>
                <button type="button" class="button" on:click=flag(MeterFlag::Hi)>"HI"</button>
            </div>
            <fieldset class="chips">
                <legend>{tr.t("phone-unit")}</legend>
                {[GlucoseUnit::MmolL, GlucoseUnit::MgDl].into_iter().map(|u| view! {
                    <label class="chip">
                        <input type="radio" name="unit" prop:checked=move || unit.get() == u on:change=move |_| unit.set(u) />
                        {i18n::unit_name(u)}
                    </label>
                }).collect_view()}
            </fieldset>
            <fieldset class="chips">
                <legend>{tr.t("phone-context")}</legend>
                {contexts.into_iter().map(|c| view! {
                    <label class="chip">
                        <input type="radio" name="context" prop:checked=move || context.get() == c on:change=move |_| context.set(c) />
                        {i18n::context(tr, c)}
                    </label>
                }).collect_view()}
            </fieldset>
            <FormFooter base editing />
        </form>
    }
}

#[component]
fn InsulinForm(editing: Editing) -> impl IntoView {
    let phone = use_phone();
    let tr = phone.tr();
    let base = FormBase::new(&editing);
    let rows = phone.rows();
    let old = editing_row(&editing).and_then(|r| match &r.parsed {
        Some(EntryData::Insulin(i)) => Some(i.clone()),
        _ => None,
    });
    let first_purpose = old
        .as_ref()
        .map_or_else(|| model::likely_purpose(&rows, now()), |i| i.purpose);
    let remembered = move |p: InsulinPurpose| {
        model::last_insulin_type(&rows, p).unwrap_or(match p {
            InsulinPurpose::Basal => InsulinType::Long,
            _ => InsulinType::Rapid,
        })
    };
    let units = RwSignal::new(
        old.as_ref()
            .map(|i| format::number(i.units, 2))
            .unwrap_or_default(),
    );
    let purpose = RwSignal::new(first_purpose);
    let kind = RwSignal::new(
        old.as_ref()
            .map_or_else(|| remembered(first_purpose), |i| i.insulin_type),
    );
    let editing_for_save = editing.clone();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(at) = base.event_time(&phone) else {
            return;
        };
        let Some(dose) = read_number(&units.get_untracked()) else {
            base.problem.set(Some(tr.t("phone-dose-range")));
            return;
        };
        let data = EntryData::Insulin(InsulinData {
            administered_at: at,
            units: dose,
            insulin_type: kind.get_untracked(),
            purpose: purpose.get_untracked(),
            product: old.as_ref().and_then(|i| i.product.clone()),
            note: old.as_ref().and_then(|i| i.note.clone()),
        });
        base.submit(
            &phone,
            &editing_for_save,
            data,
            after_save(&editing_for_save),
        );
    };
    let title = if matches!(editing, Editing::New) {
        tr.t("phone-log-insulin")
    } else {
        tr.t("phone-edit-insulin")
    };
    let types = [
        InsulinType::Rapid,
        InsulinType::Short,
        InsulinType::Intermediate,
        InsulinType::Long,
        InsulinType::Premixed,
    ];
    let is_new = matches!(editing, Editing::New);
    view! {
        <form class="card log-form" on:submit=on_submit novalidate>
            <h1>{title}</h1>
            <label for="insulin_units">{tr.t("phone-dose")}" "<span class="hint">{tr.t("phone-dose-hint")}</span></label>
            <input id="insulin_units" type="text" inputmode="decimal" autocomplete="off" bind:value=units autofocus />
            <fieldset class="chips">
                <legend>{tr.t("phone-purpose")}</legend>
                {[InsulinPurpose::Meal, InsulinPurpose::Correction, InsulinPurpose::Basal].into_iter().map(|p| {
                    let remembered = remembered.clone();
                    view! {
                        <label class="chip">
                            <input type="radio" name="purpose" prop:checked=move || purpose.get() == p
                                on:change=move |_| {
                                    purpose.set(p);
                                    if is_new { kind.set(remembered(p)); }
                                } />
                            {i18n::purpose(tr, p)}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <label for="insulin_type">{tr.t("phone-insulin-kind")}</label>
            <select id="insulin_type" on:change=move |ev| {
                let chosen = event_target_value(&ev);
                if let Some(k) = types.into_iter().find(|k| serde_json::to_value(k).ok().and_then(|v| v.as_str().map(str::to_owned)) == Some(chosen.clone())) {
                    kind.set(k);
                }
            }>
                {types.into_iter().map(|k| {
                    let value = serde_json::to_value(k).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                    view! { <option value=value selected=move || kind.get() == k>{i18n::insulin_type(tr, k)}</option> }
                }).collect_view()}
            </select>
            <FormFooter base editing />
        </form>
    }
}

/// Whether a low needs the emergency screen.
fn needs_help(c: &Classification) -> bool {
    c.ada_level >= 3 || c.potentially_serious
}

#[component]
fn LowForm(editing: Editing) -> impl IntoView {
    let phone = use_phone();
    let tr = phone.tr();
    let base = FormBase::new(&editing);
    let old = editing_row(&editing).and_then(|r| match &r.parsed {
        Some(EntryData::Hypo(h)) => Some(h.clone()),
        _ => None,
    });
    let symptoms = RwSignal::new(old.as_ref().map(|h| h.symptoms.clone()).unwrap_or_default());
    let treatments = RwSignal::new(
        old.as_ref()
            .map(|h| h.treatments.clone())
            .unwrap_or_default(),
    );
    let helped = RwSignal::new(old.as_ref().map(|h| h.needed_assistance));
    let unconscious = RwSignal::new(old.as_ref().is_some_and(|h| h.lost_consciousness));
    let seizure = RwSignal::new(old.as_ref().is_some_and(|h| h.seizure));
    let value = RwSignal::new(
        old.as_ref()
            .and_then(|h| h.glucose_value)
            .map(|v| format::number(v, 1))
            .unwrap_or_default(),
    );
    let unit = old
        .as_ref()
        .and_then(|h| h.glucose_unit)
        .unwrap_or_else(|| phone.unit());
    // The form as data, at a fixed time: classification does not depend on it.
    let draft = move |at: DateTime<FixedOffset>| -> Result<HypoData, String> {
        let text = value.get();
        let glucose_value = match text.trim() {
            "" => None,
            text => Some(read_number(text).ok_or_else(|| tr.t("phone-enter-number-or-empty"))?),
        };
        Ok(HypoData {
            occurred_at: at,
            glucose_unit: glucose_value.map(|_| unit),
            glucose_value,
            symptoms: symptoms.get(),
            needed_assistance: helped.get().unwrap_or(false),
            lost_consciousness: unconscious.get(),
            seizure: seizure.get(),
            treatments: treatments.get(),
            note: None,
        })
    };
    let live = move || {
        let data = draft(now()).ok()?;
        EntryData::Hypo(data).check().ok()?.classification
    };
    let editing_for_save = editing.clone();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(at) = base.event_time(&phone) else {
            return;
        };
        let data = match draft(at) {
            Ok(data) => data,
            Err(problem) => {
                base.problem.set(Some(problem));
                return;
            }
        };
        let urgent = EntryData::Hypo(data.clone())
            .check()
            .ok()
            .and_then(|c| c.classification)
            .is_some_and(|c| needs_help(&c));
        let then = if urgent {
            Screen::Emergency
        } else {
            after_save(&editing_for_save)
        };
        base.submit(&phone, &editing_for_save, EntryData::Hypo(data), then);
    };
    let title = if matches!(editing, Editing::New) {
        tr.t("phone-log-low")
    } else {
        tr.t("phone-edit-low")
    };
    let treatment_list = [
        Treatment::OralCarbohydrate,
        Treatment::Glucagon,
        Treatment::IvGlucose,
        Treatment::EmergencyServices,
        Treatment::EmergencyDepartment,
        Treatment::HospitalAdmission,
        Treatment::Other,
    ];
    view! {
        <form class="card log-form" on:submit=on_submit novalidate>
            <h1>{title}</h1>
            <fieldset class="checks">
                <legend>{tr.t("phone-symptoms")}</legend>
                {i18n::SYMPTOMS.into_iter().map(|key| view! {
                    <label class="check">
                        <input type="checkbox" prop:checked=move || symptoms.with(|s| s.iter().any(|x| x == key))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                symptoms.update(|s| { s.retain(|x| x != key); if on { s.push(key.to_owned()) } });
                            } />
                        {i18n::symptom(tr, key)}
                    </label>
                }).collect_view()}
            </fieldset>
            <fieldset class="chips">
                <legend>{tr.t("phone-needed-help")}</legend>
                <label class="chip">
                    <input type="radio" name="helped" prop:checked=move || helped.get() == Some(true) on:change=move |_| helped.set(Some(true)) />
                    {tr.t("common-yes")}
                </label>
                <label class="chip">
                    <input type="radio" name="helped" prop:checked=move || helped.get() == Some(false) on:change=move |_| helped.set(Some(false)) />
                    {tr.t("common-no")}
                </label>
            </fieldset>
            <fieldset class="checks">
                <legend>{tr.t("phone-what-happened")}</legend>
                <label class="check">
                    <input type="checkbox" prop:checked=move || unconscious.get() on:change=move |ev| unconscious.set(event_target_checked(&ev)) />
                    {tr.t("phone-lost-consciousness")}
                </label>
                <label class="check">
                    <input type="checkbox" prop:checked=move || seizure.get() on:change=move |ev| seizure.set(event_target_checked(&ev)) />
                    {tr.t("phone-seizure")}
                </label>
            </fieldset>
            <fieldset class="checks">
                <legend>{tr.t("phone-treatments")}</legend>
                {treatment_list.into_iter().map(|treatment| view! {
                    <label class="check">
                        <input type="checkbox" prop:checked=move || treatments.with(|l| l.contains(&treatment))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                treatments.update(|l| { l.retain(|x| *x != treatment); if on { l.push(treatment) } });
                            } />
                        {i18n::treatment(tr, treatment)}
                    </label>
                }).collect_view()}
            </fieldset>
            <label for="hypo_value">{tr.t_with("phone-glucose-if-measured", &[("unit", i18n::unit_name(unit).into())])}</label>
            <input id="hypo_value" type="text" inputmode="decimal" autocomplete="off" bind:value=value />
            <div class="classification" role="status" aria-live="polite">
                {move || match live() {
                    Some(c) if c.ada_level > 0 || c.ada2005_class.is_some() => {
                        let urgent = needs_help(&c);
                        EitherOf3::A(view! {
                            <p class:urgent=urgent>{tr.t_with("phone-classified-as", &[("level", i18n::level_text(tr, &c).into())])}</p>
                            {c.potentially_serious.then(|| view! { <p class="urgent">{tr.t("phone-serious-note")}</p> })}
                        })
                    }
                    Some(c) if c.potentially_serious => EitherOf3::B(view! { <p class="urgent">{tr.t("phone-serious-note")}</p> }),
                    _ => EitherOf3::C(view! { <p>{tr.t("phone-not-a-low")}</p> }),
                }}
            </div>
            <FormFooter base editing />
        </form>
    }
}

/// After a severe or potentially serious low: the site's number to tap.
#[component]
fn EmergencyScreen() -> impl IntoView {
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

#[component]
fn HistoryScreen() -> impl IntoView {
    let phone = use_phone();
    let tr = phone.tr();
    let days = RwSignal::new(7_i64);
    let rows = Memo::new(move |_| phone.rows());
    view! {
        <h1>{tr.t("phone-history-title")}</h1>
        <Show when=move || phone.flash.get().is_some()>
            <p class="notice ok" role="status">{move || phone.flash.get()}</p>
        </Show>
        <section class="card">
            <div class="chips" role="group" aria-label=tr.t("phone-history-title")>
                {[7, 14].into_iter().map(|n| view! {
                    <button type="button" class="button small" aria-pressed=move || (days.get() == n).to_string()
                        on:click=move |_| days.set(n)>{tr.t_with("common-days", &[("n", n.into())])}</button>
                }).collect_view()}
            </div>
            {move || {
                let points = rows.with(|r| model::chart_points(r, now(), days.get()));
                view! { <GlucoseChart points days=days.get() unit=phone.unit() tr /> }
            }}
        </section>
        {move || {
            let list = rows.get();
            if list.is_empty() {
                return Either::Left(view! { <p class="notice">{tr.t("phone-no-entries")}</p> });
            }
            let today = now().date_naive();
            Either::Right(model::by_day(&list, offset()).into_iter().map(|(day, rows)| view! {
                <section class="card day">
                    <h2>{i18n::day(tr, day, today)}</h2>
                    <ul class="entries">
                        {rows.into_iter().map(|row| view! { <HistoryItem row /> }).collect_view()}
                    </ul>
                </section>
            }).collect_view())
        }}
    }
}

fn form_for(row: &Row, editing: Editing) -> Screen {
    match row.kind {
        Kind::Glucose => Screen::Glucose(editing),
        Kind::Insulin => Screen::Insulin(editing),
        Kind::Hypo => Screen::Low(editing),
    }
}

#[component]
fn HistoryItem(row: Row) -> impl IntoView {
    let phone = use_phone();
    let tr = phone.tr();
    let removing = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let show_versions = RwSignal::new(false);
    let line = summary(&phone, &row);
    let time = row.event_at().map(clock).unwrap_or_default();
    let who = i18n::entered_by(tr, &row.entered_by);
    let pending = row.state == RowState::Pending;
    let refusal = match &row.state {
        RowState::Refused(r) => Some(r.clone()),
        _ => None,
    };
    let can_change = !row.voided && refusal.is_none();
    let entry_id = row.entry_id;
    let kind = row.kind;
    let version = row.version;
    let participant = row.participant_id;
    let edit_row = row.clone();
    let fix_row = row.clone();
    let refused_key = row.refused_key.clone();
    let remove = move |ev: SubmitEvent| {
        ev.prevent_default();
        let why = reason.get_untracked().trim().to_owned();
        if why.is_empty() {
            problem.set(Some(tr.t("phone-reason-needed")));
            return;
        }
        let mutation = OutMutation {
            id: Phone::new_id(),
            participant_id: participant,
            entry_id,
            op: Op::Void,
            kind,
            base_version: Some(version),
            reason: Some(why),
            recorded_at: now().to_rfc3339(),
            data: None,
        };
        phone.save(mutation, None, tr.t("phone-saved"));
        removing.set(false);
    };
    let refusal_text = refusal.as_ref().map(|r| {
        let why = refusal_reason(&phone, r, kind);
        tr.t_with("phone-refused", &[("why", why.into())])
    });
    view! {
        <li class="entry" class:voided=row.voided class:pending=pending class:refused=refusal.is_some()>
            <p>
                <span class="time">{time}</span>" "
                <span class="what">{line}</span>
            </p>
            <p class="meta">
                {who}
                {row.voided.then(|| view! { " · "<span class="badge">{tr.t("phone-removed")}</span> })}
                {pending.then(|| view! { " · "<span class="badge pending">{tr.t("phone-waiting-to-send")}</span> })}
                {row.late.then(|| view! { " · "<span class="badge">{tr.t("phone-late")}</span> })}
                {row.reason.clone().map(|r| view! { " · "<q>{r}</q> })}
            </p>
            {refusal_text.map(|text| {
                let key = refused_key.clone().unwrap_or_default();
                let drop_key = key.clone();
                let row = fix_row.clone();
                view! {
                    <p class="notice error">{text}</p>
                    <div class="row-actions">
                        <button type="button" class="button small" on:click=move |_| phone.screen.set(form_for(&row, Editing::Fix(Box::new(row.clone()), key.clone())))>{tr.t("phone-fix-it")}</button>
                        <button type="button" class="button small" on:click=move |_| phone.discard(drop_key.clone())>{tr.t("phone-discard")}</button>
                    </div>
                }
            })}
            <div class="row-actions">
                {can_change.then(|| {
                    let row = edit_row.clone();
                    view! {
                        <button type="button" class="button small" on:click=move |_| phone.screen.set(form_for(&row, Editing::Change(Box::new(row.clone()))))>{tr.t("phone-change")}</button>
                        <button type="button" class="button small" on:click=move |_| removing.update(|r| *r = !*r)>{tr.t("phone-remove")}</button>
                    }
                })}
                {(version > 1).then(|| view! {
                    <button type="button" class="button small" aria-expanded=move || show_versions.get().to_string()
                        on:click=move |_| show_versions.update(|s| *s = !*s)>{tr.t("phone-versions")}</button>
                })}
            </div>
            <Show when=move || removing.get()>
                <form class="remove-form" on:submit=remove novalidate>
                    <label for=format!("remove-{entry_id}")>{tr.t("phone-reason-remove")}</label>
                    <input id=format!("remove-{entry_id}") type="text" bind:value=reason />
                    <p class="notice error" role="alert">{move || problem.get()}</p>
                    <button type="submit" class="button primary small">{tr.t("phone-confirm-remove")}</button>
                </form>
            </Show>
            <Show when=move || show_versions.get()>
                <Versions entry_id=entry_id />
            </Show>
        </li>
    }
}

/// Every version of an entry: from the server when online, else what this
/// phone has seen.
#[component]
fn Versions(entry_id: uuid::Uuid) -> impl IntoView {
    let phone = use_phone();
    let list = RwSignal::new(None::<(Vec<model::ServerEntry>, bool)>);
    leptos::task::spawn_local(async move {
        let kept = match crate::phone::local::local().await {
            Ok(local) => local.versions(entry_id).await.unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        match crate::phone::sync::history(entry_id).await {
            Ok(all) => {
                if let Ok(local) = crate::phone::local::local().await {
                    let _ = local.keep_versions(&all).await;
                }
                list.set(Some((all, true)));
            }
            Err(_) => list.set(Some((kept, false))),
        }
    });
    move || {
        let (versions, complete) = list.get()?;
        let tr = phone.tr();
        let me = phone.me();
        Some(view! {
            <ol class="versions">
                {versions.into_iter().map(|v| {
                    let row = Row::from_server(&v, me.unwrap_or_default());
                    let head = tr.t_with("phone-version", &[("n", v.version.into())]);
                    let who = i18n::entered_by(tr, &row.entered_by);
                    view! {
                        <li class:voided=row.voided>
                            <strong>{head}</strong>" · "{summary(&phone, &row)}" · "{who}
                            {row.voided.then(|| view! { " · "{tr.t("phone-removed")} })}
                            {row.reason.clone().map(|r| view! { " · "<q>{r}</q> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
            {(!complete).then(|| view! { <p class="meta">{tr.t("phone-versions-offline")}</p> })}
        })
    }
}

#[component]
fn SettingsScreen() -> impl IntoView {
    let phone = use_phone();
    let tr = phone.tr();
    let confirm = RwSignal::new(false);
    let update = move |f: &dyn Fn(&mut Settings)| {
        let mut s = phone.settings.get_untracked();
        f(&mut s);
        phone.set_settings(s);
    };
    let reminder = move || {
        phone
            .settings
            .with(|s| s.reminder.clone())
            .unwrap_or_default()
    };
    let sign_out = move |_| {
        let (pending, refused) = phone.counts();
        if pending + refused > 0 && !confirm.get_untracked() {
            confirm.set(true);
        } else {
            phone.sign_out();
        }
    };
    view! {
        <h1>{tr.t("phone-settings-title")}</h1>
        <section class="card">
            <fieldset class="chips">
                <legend>{tr.t("phone-glucose-unit")}</legend>
                {[GlucoseUnit::MmolL, GlucoseUnit::MgDl].into_iter().map(|u| view! {
                    <label class="chip">
                        <input type="radio" name="settings_unit" prop:checked=move || phone.unit() == u
                            on:change=move |_| update(&|s| s.unit = Some(u)) />
                        {i18n::unit_name(u)}
                    </label>
                }).collect_view()}
            </fieldset>
            <fieldset class="chips">
                <legend>{tr.t("common-language")}</legend>
                // Each language's name in itself, so anyone can find theirs.
                {Language::ALL.into_iter().map(|language| view! {
                    <label class="chip" lang=language.tag()>
                        <input type="radio" name="settings_lang" prop:checked=move || phone.language() == language
                            on:change=move |_| {
                                update(&|s| s.lang = Some(language));
                                leptos::task::spawn_local(async move {
                                    super::sync::save_language(language).await;
                                });
                            } />
                        {language.endonym()}
                    </label>
                }).collect_view()}
            </fieldset>
            <label for="reminder">{tr.t("phone-reminder")}</label>
            <input id="reminder" type="time" prop:value=reminder
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    update(&|s| s.reminder = (!value.is_empty()).then(|| value.clone()));
                } />
            <p class="hint">{tr.t("phone-reminder-hint")}</p>
        </section>
        <section class="card">
            <Show when=move || confirm.get()>
                <p class="notice warn" role="alert">{move || {
                    let (pending, refused) = phone.counts();
                    tr.t_with("phone-sign-out-pending", &[("n", (pending + refused).into())])
                }}</p>
            </Show>
            <button type="button" class="button" on:click=sign_out>
                {move || if confirm.get() { tr.t("phone-sign-out-anyway") } else { tr.t("phone-sign-out") }}
            </button>
        </section>
    }
}
