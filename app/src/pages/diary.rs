use leptos::{ev::SubmitEvent, prelude::*};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    diary::{self, DiaryOwner, DiaryRow, Emergency, diary_entries, entry_versions, my_diaries},
    domain::entry::{EntryData, Kind},
    study::StudyBanner,
};

/// For participants and guardians with a connection: log a reading, a dose
/// or a low, and see the diary with every version of each entry.
#[component]
pub fn Diary() -> impl IntoView {
    let owners = Resource::new(|| (), |_| my_diaries());
    let participant = RwSignal::new(None::<Uuid>);
    // Loaded with the page, so the emergency card needs no network.
    let known = RwSignal::new(Vec::<DiaryOwner>::new());
    let emergency = Signal::derive(move || {
        let chosen = participant.get();
        known.with(|k| {
            k.iter()
                .find(|o| Some(o.participant_id) == chosen)
                .map(|o| o.emergency.clone())
        })
    });
    let log = ServerAction::<diary::LogEntry>::new();
    let entries = Resource::new(
        move || (participant.get(), log.version().get()),
        |(p, _)| async move {
            match p {
                Some(p) => diary_entries(p).await,
                None => Ok(Vec::new()),
            }
        },
    );
    view! {
        <StudyBanner />
        <section class="card">
            <h1>"Diary"</h1>
            <Suspense fallback=|| view! { <p class="notice">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match owners.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="notice">"This account keeps no diary."</p>
                        }.into_any(),
                        Ok(list) => {
                            if participant.get_untracked().is_none() {
                                participant.set(list.first().map(|o| o.participant_id));
                            }
                            known.set(list.clone());
                            view! {
                                <label for="participant">"Whose diary"</label>
                                <select
                                    id="participant"
                                    on:change=move |ev| participant.set(event_target_value(&ev).parse().ok())
                                >
                                    {list.into_iter().map(|o| view! {
                                        <option
                                            value=o.participant_id.to_string()
                                            selected=move || participant.get() == Some(o.participant_id)
                                        >{o.study_id}</option>
                                    }).collect_view()}
                                </select>
                            }.into_any()
                        }
                        Err(e) => view! { <p class="notice error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <LogForms participant log emergency />
        <section class="card">
            <h2>"Entries"</h2>
            <Transition fallback=|| view! { <p class="notice">"Loading entries…"</p> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Ok(rows) if rows.is_empty() => view! { <p class="notice">"No entries yet."</p> }.into_any(),
                        Ok(rows) => view! {
                            <ul class="entries">
                                {rows.into_iter().map(|row| view! { <EntryItem row /> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <p class="notice error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The three forms, one shown at a time.
#[component]
fn LogForms(
    participant: RwSignal<Option<Uuid>>,
    log: ServerAction<diary::LogEntry>,
    emergency: Signal<Option<Emergency>>,
) -> impl IntoView {
    let kind = RwSignal::new(Kind::Glucose);
    let show_emergency = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    // Glucose.
    let value = RwSignal::new(String::new());
    let unit = RwSignal::new("mmol/L".to_owned());
    let context = RwSignal::new("before_meal".to_owned());
    // Insulin.
    let units = RwSignal::new(String::new());
    let insulin_type = RwSignal::new("rapid".to_owned());
    let purpose = RwSignal::new("meal".to_owned());
    // Low.
    let symptoms = RwSignal::new(Vec::<&'static str>::new());
    let treatments = RwSignal::new(Vec::<&'static str>::new());
    let assisted = RwSignal::new(false);
    let unconscious = RwSignal::new(false);
    let seizure = RwSignal::new(false);
    let low_value = RwSignal::new(String::new());

    let number = |s: String| s.trim().replace(',', ".").parse::<f64>().ok();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(participant_id) = participant.get() else {
            problem.set(Some("Choose whose diary first.".into()));
            return;
        };
        let data: Result<Value, &str> = match kind.get() {
            Kind::Glucose => {
                let raw = value.get().trim().to_uppercase();
                let v = match raw.as_str() {
                    "LO" | "HI" => Some(json!(raw)),
                    _ => number(raw.clone()).map(|n| json!(n)),
                };
                v.map(|v| json!({"value": v, "unit": unit.get(), "context": context.get(), "source": "meter"}))
                    .ok_or("Enter the reading as a number, LO or HI.")
            }
            Kind::Insulin => number(units.get())
                .map(|u| json!({"units": u, "insulin_type": insulin_type.get(), "purpose": purpose.get()}))
                .ok_or("Enter the dose in units, such as 4.5."),
            Kind::Hypo => {
                let mut d = json!({
                    "symptoms": symptoms.get(), "needed_assistance": assisted.get(),
                    "lost_consciousness": unconscious.get(), "seizure": seizure.get(),
                    "treatments": treatments.get(),
                });
                match low_value.get().trim() {
                    "" => Ok(d),
                    text => match number(text.to_owned()) {
                        Some(n) => {
                            d["glucose_value"] = json!(n);
                            d["glucose_unit"] = json!(unit.get());
                            Ok(d)
                        }
                        None => Err("Enter the glucose as a number, or leave it empty."),
                    },
                }
            }
        };
        match data {
            Ok(data) => {
                problem.set(None);
                // Classified here, before and whatever the network does.
                if kind.get() == Kind::Hypo && needs_help(&data) {
                    show_emergency.set(true);
                }
                log.dispatch(diary::LogEntry {
                    participant_id,
                    kind: kind.get(),
                    data: data.to_string(),
                });
            }
            Err(why) => problem.set(Some(why.into())),
        }
    };
    let outcome = move || {
        match log.value().get() {
        Some(Ok(saved)) if saved.warnings.iter().any(|w| w == "unit_mixup") => Some(
            "Saved. Check the unit: the number looks like the other unit. Edit the entry if it is wrong."
                .to_owned(),
        ),
        Some(Ok(_)) => Some("Saved.".to_owned()),
        Some(Err(e)) => Some(e.to_string()),
        None => None,
    }
    };
    let tab = move |k: Kind, label: &'static str| {
        view! {
            <button
                type="button"
                class="button"
                class:primary=move || kind.get() == k
                aria-pressed=move || (kind.get() == k).to_string()
                on:click=move |_| kind.set(k)
            >{label}</button>
        }
    };
    let check = move |list: RwSignal<Vec<&'static str>>, key: &'static str, label: &'static str| {
        view! {
            <label class="check">
                <input
                    type="checkbox"
                    name=key
                    prop:checked=move || list.get().contains(&key)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        list.update(|l| {
                            l.retain(|k| *k != key);
                            if on { l.push(key) }
                        });
                    }
                />
                {label}
            </label>
        }
    };
    let flag = move |signal: RwSignal<bool>, key: &'static str, label: &'static str| {
        view! {
            <label class="check">
                <input type="checkbox" name=key prop:checked=move || signal.get()
                    on:change=move |ev| signal.set(event_target_checked(&ev)) />
                {label}
            </label>
        }
    };
    view! {
        <Show when=move || show_emergency.get()>
            <EmergencyCard emergency on_close=Callback::new(move |()| show_emergency.set(false)) />
        </Show>
        <section class="card">
            <h2>"Log"</h2>
            <div class="tabs" role="group" aria-label="What to log">
                {tab(Kind::Glucose, "Glucose")}
                {tab(Kind::Insulin, "Insulin")}
                {tab(Kind::Hypo, "Low")}
            </div>
            <form method="post" on:submit=on_submit novalidate>
                <Show when=move || kind.get() == Kind::Glucose>
                    <label for="glucose_value">"Reading (a number, LO or HI)"</label>
                    <input id="glucose_value" type="text" inputmode="decimal" bind:value=value />
                    <label for="glucose_unit">"Unit"</label>
                    <select id="glucose_unit" bind:value=unit>
                        <option value="mmol/L">"mmol/L"</option>
                        <option value="mg/dL">"mg/dL"</option>
                    </select>
                    <label for="glucose_context">"When"</label>
                    <select id="glucose_context" bind:value=context>
                        <option value="fasting">"Fasting"</option>
                        <option value="before_meal">"Before a meal"</option>
                        <option value="after_meal">"After a meal"</option>
                        <option value="bedtime">"Bedtime"</option>
                        <option value="overnight">"Overnight"</option>
                        <option value="other">"Other"</option>
                    </select>
                </Show>
                <Show when=move || kind.get() == Kind::Insulin>
                    <label for="insulin_units">"Dose in units"</label>
                    <input id="insulin_units" type="text" inputmode="decimal" bind:value=units />
                    <label for="insulin_type">"Insulin"</label>
                    <select id="insulin_type" bind:value=insulin_type>
                        <option value="rapid">"Rapid-acting"</option>
                        <option value="short">"Short-acting"</option>
                        <option value="intermediate">"Intermediate (NPH)"</option>
                        <option value="long">"Long-acting"</option>
                        <option value="premixed">"Premixed"</option>
                    </select>
                    <label for="insulin_purpose">"For"</label>
                    <select id="insulin_purpose" bind:value=purpose>
                        <option value="meal">"A meal"</option>
                        <option value="correction">"A correction"</option>
                        <option value="basal">"Basal"</option>
                    </select>
                </Show>
                <Show when=move || kind.get() == Kind::Hypo>
                    <fieldset>
                        <legend>"Symptoms"</legend>
                        {check(symptoms, "shaky", "Shaky")}
                        {check(symptoms, "sweating", "Sweating")}
                        {check(symptoms, "confused", "Confused")}
                        {check(symptoms, "hungry", "Hungry")}
                    </fieldset>
                    <fieldset>
                        <legend>"What happened"</legend>
                        {flag(assisted, "needed_assistance", "Someone else had to help")}
                        {flag(unconscious, "lost_consciousness", "Lost consciousness")}
                        {flag(seizure, "seizure", "Seizure")}
                    </fieldset>
                    <fieldset>
                        <legend>"Treatment"</legend>
                        {check(treatments, "oral_carbohydrate", "Sugar or juice")}
                        {check(treatments, "glucagon", "Glucagon")}
                        {check(treatments, "emergency_services", "Called emergency services")}
                        {check(treatments, "emergency_department", "Emergency department")}
                        {check(treatments, "hospital_admission", "Admitted to hospital")}
                    </fieldset>
                    <label for="hypo_value">"Glucose if measured (same unit as readings)"</label>
                    <input id="hypo_value" type="text" inputmode="decimal" bind:value=low_value />
                </Show>
                <p class="notice" role="status" aria-live="polite">{move || problem.get().or_else(outcome)}</p>
                <button type="submit" class="button primary" disabled=move || log.pending().get()>"Save"</button>
            </form>
        </section>
    }
}

/// Whether a low, as entered, is severe or potentially serious.
fn needs_help(data: &Value) -> bool {
    let mut data = data.clone();
    // The time does not change the classification.
    data["occurred_at"] = json!("2026-01-01T00:00:00Z");
    EntryData::parse(Kind::Hypo, &data)
        .ok()
        .and_then(|d| d.check().ok())
        .and_then(|c| c.classification)
        .is_some_and(|c| c.ada_level >= 3 || c.potentially_serious)
}

/// The site's number as a tap-to-call link, and the study's advice.
#[component]
fn EmergencyCard(emergency: Signal<Option<Emergency>>, on_close: Callback<()>) -> impl IntoView {
    move || {
        let e = emergency.get().unwrap_or(Emergency {
            phone: String::new(),
            advice_en: String::new(),
            advice_zh: String::new(),
        });
        let dial: String = e
            .phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect();
        view! {
            <section class="card emergency" role="alert">
                <h2>"Get help now"</h2>
                <a class="button primary call" href=format!("tel:{dial}")>{format!("Call the study team: {}", e.phone)}</a>
                <p lang="en">{e.advice_en}</p>
                <p lang="zh-Hans">{e.advice_zh}</p>
                <button type="button" class="button" on:click=move |_| on_close.run(())>"Close"</button>
            </section>
        }
    }
}

/// What an entry says, in a line.
fn summary(row: &DiaryRow) -> String {
    let data = serde_json::from_str::<Value>(&row.data)
        .ok()
        .and_then(|v| EntryData::parse(row.kind, &v).ok());
    match data {
        Some(EntryData::Glucose(g)) => {
            let value = serde_json::to_value(g.value).unwrap_or_default();
            let value = value
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| value.to_string());
            let unit = serde_json::to_value(g.unit).unwrap_or_default();
            format!("Glucose {value} {}", unit.as_str().unwrap_or(""))
        }
        Some(EntryData::Insulin(i)) => format!("Insulin {} U", i.units),
        Some(EntryData::Hypo(_)) => "Low".to_owned(),
        None => "Entry".to_owned(),
    }
}

#[component]
fn EntryItem(row: DiaryRow) -> impl IntoView {
    let show = RwSignal::new(false);
    let entry_id = row.entry_id;
    let versions = Resource::new(
        move || show.get(),
        move |open| async move {
            if open {
                entry_versions(entry_id).await
            } else {
                Ok(Vec::new())
            }
        },
    );
    let line = row_line(&row);
    view! {
        <li class="entry" class:voided=row.voided>
            {line}
            {(row.version > 1).then(|| view! {
                <button type="button" class="button small" on:click=move |_| show.update(|s| *s = !*s)>
                    {move || if show.get() { "Hide versions" } else { "Versions" }}
                </button>
            })}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let list = versions.await.unwrap_or_default();
                    view! {
                        <ol class="versions">
                            {list.iter().map(|v| view! { <li class:voided=v.voided>{row_line(v)}</li> }).collect_view()}
                        </ol>
                    }
                })}
            </Transition>
        </li>
    }
}

fn row_line(row: &DiaryRow) -> impl IntoView + use<> {
    let level = match (row.kind, row.ada_level) {
        (Kind::Insulin, _) | (_, None | Some(0)) => String::new(),
        (_, Some(level)) => format!(" · level {level}"),
    };
    let serious = row.potentially_serious.then_some(" · potentially serious");
    let late = row.late.then_some(" · late");
    let reason = row
        .reason
        .as_ref()
        .map(|r| format!(" · v{} ({r})", row.version))
        .unwrap_or_default();
    view! {
        <span class="what">{summary(row)}{level}{serious}</span>
        " "
        <span class="meta">{format!("{} · by {}{}{}", row.recorded_at, row.entered_by_role, late.unwrap_or(""), reason)}</span>
    }
}
