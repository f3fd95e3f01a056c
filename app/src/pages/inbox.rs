use leptos::prelude::*;
use uuid::Uuid;

use crate::{
    inbox::{self, InboxAlert, inbox},
    study::StudyBanner,
};

/// For investigators: open alerts of their sites, arriving live (the page
/// listens to the alert stream and sounds a tone), acknowledged with a note;
/// potentially serious events count down their 24-hour reporting clock.
#[component]
pub fn Inbox() -> impl IntoView {
    // Bumped by the live stream and by actions: the list reloads.
    let changes = RwSignal::new(0u32);
    let fresh = RwSignal::new(false);
    let alerts = Resource::new(move || changes.get(), |_| inbox());
    // The clock ticks for the countdowns.
    let now = RwSignal::new(chrono::Utc::now());

    #[cfg(feature = "hydrate")]
    Effect::new(move |_| live::listen(changes, fresh, now));

    view! {
        <StudyBanner />
        <section class="card">
            <h1>"Alerts"</h1>
            <p class="notice alert-live" class:fresh=move || fresh.get() role="status" aria-live="assertive">
                {move || if fresh.get() { "New alert" } else { "Live: new alerts appear here without reloading." }}
            </p>
            <Transition fallback=|| view! { <p class="notice">"Loading alerts…"</p> }>
                {move || Suspend::new(async move {
                    match alerts.await {
                        Ok(list) if list.is_empty() => view! { <p class="notice">"No open alerts."</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="alerts">
                                {list.into_iter().map(|alert| view! { <AlertItem alert changes now /> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <p class="notice error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn rule_name(rule: &str) -> &'static str {
    match rule {
        "severe_hypoglycemia" => "Severe hypoglycemia",
        "potentially_serious_event" => "Potentially serious event",
        "level2_glucose" => "Glucose below 54 mg/dL (3.0 mmol/L)",
        "repeated_level2" => "Repeated level-2 readings",
        "missed_diary" => "Missed diary",
        _ => "Alert",
    }
}

/// "23 h 05 min left", or how long overdue.
fn countdown(due: &str, now: chrono::DateTime<chrono::Utc>) -> String {
    let Ok(due) = chrono::DateTime::parse_from_rfc3339(due) else {
        return String::new();
    };
    let left = due.with_timezone(&chrono::Utc) - now;
    let minutes = left.num_minutes().abs();
    let text = format!("{} h {:02} min", minutes / 60, minutes % 60);
    if left.num_seconds() >= 0 {
        format!("Report to the sponsor within {text}")
    } else {
        format!("Report to the sponsor: overdue by {text}")
    }
}

#[component]
fn AlertItem(
    alert: InboxAlert,
    changes: RwSignal<u32>,
    now: RwSignal<chrono::DateTime<chrono::Utc>>,
) -> impl IntoView {
    let note = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let ack = ServerAction::<inbox::Acknowledge>::new();
    let report = ServerAction::<inbox::MarkReported>::new();
    Effect::new(move |_| {
        let done = [ack.value().get(), report.value().get()];
        for outcome in done.into_iter().flatten() {
            match outcome {
                Ok(_) => changes.update(|c| *c += 1),
                Err(e) => problem.set(Some(e.to_string())),
            }
        }
    });
    let id: Uuid = alert.id;
    let act = move |reported: bool| {
        let text = note.get();
        if text.trim().is_empty() {
            problem.set(Some("Write what was done first.".into()));
            return;
        }
        problem.set(None);
        if reported {
            report.dispatch(inbox::MarkReported { id, note: text });
        } else {
            ack.dispatch(inbox::Acknowledge { id, note: text });
        }
    };
    let due = alert.report_due_at.clone().filter(|_| !alert.reported);
    let open = alert.status == "open";
    let can_report = alert.rule == "potentially_serious_event" && !alert.reported;
    let note_id = format!("note-{id}");
    let summary = format!(
        "{} · {} · {}",
        alert.study_id,
        alert
            .created_at
            .get(..16)
            .unwrap_or(&alert.created_at)
            .replace('T', " "),
        alert.status
    );
    view! {
        <li class=format!("alert {}", alert.severity)>
            <p class="what">{rule_name(&alert.rule)}{(alert.readings > 1).then(|| format!(" ({} readings)", alert.readings))}</p>
            <p class="meta">{summary}{(alert.escalation_level > 0).then(|| format!(" · escalated to list {}", alert.escalation_level))}</p>
            {due.map(|due| view! { <p class="clock">{move || countdown(&due, now.get())}</p> })}
            {alert.note.clone().map(|n| view! { <p class="meta">{format!("Note: {n}")}</p> })}
            {(!alert.failed_deliveries.is_empty()).then(|| view! {
                <p class="notice error">{format!("Not delivered: {}", alert.failed_deliveries.join("; "))}</p>
            })}
            {(open || can_report).then(|| view! {
                <label for=note_id.clone()>"What was done"</label>
                <input id=note_id.clone() type="text" bind:value=note />
                {open.then(|| view! {
                    <button type="button" class="button" on:click=move |_| act(false) disabled=move || ack.pending().get()>"Acknowledge"</button>
                })}
                {can_report.then(|| view! {
                    <button type="button" class="button" on:click=move |_| act(true) disabled=move || report.pending().get()>"Reported to the sponsor"</button>
                })}
                <p class="notice error" role="alert">{move || problem.get()}</p>
            })}
        </li>
    }
}

#[cfg(feature = "hydrate")]
mod live {
    use leptos::prelude::*;
    use send_wrapper::SendWrapper;
    use wasm_bindgen::{JsCast, closure::Closure};

    /// Listens to the alert stream (the session cookie signs it in); each
    /// event reloads the list, shows the banner and sounds a short tone.
    pub fn listen(
        changes: RwSignal<u32>,
        fresh: RwSignal<bool>,
        now: RwSignal<chrono::DateTime<chrono::Utc>>,
    ) {
        let Ok(source) = web_sys::EventSource::new("/api/v1/alerts/stream") else {
            return;
        };
        let on_alert = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| {
            changes.update(|c| *c += 1);
            fresh.set(true);
            beep();
            set_timeout(move || fresh.set(false), std::time::Duration::from_secs(8));
        });
        let _ = source.add_event_listener_with_callback("alert", on_alert.as_ref().unchecked_ref());
        let tick = set_interval_with_handle(
            move || now.set(chrono::Utc::now()),
            std::time::Duration::from_secs(30),
        )
        .ok();
        let kept = SendWrapper::new((source, on_alert));
        on_cleanup(move || {
            kept.0.close();
            if let Some(tick) = tick {
                tick.clear();
            }
        });
    }

    fn beep() {
        let Ok(audio) = web_sys::AudioContext::new() else {
            return;
        };
        let (Ok(tone), Ok(gain)) = (audio.create_oscillator(), audio.create_gain()) else {
            return;
        };
        tone.set_type(web_sys::OscillatorType::Sine);
        tone.frequency().set_value(880.0);
        gain.gain().set_value(0.2);
        let _ = tone.connect_with_audio_node(&gain);
        let _ = gain.connect_with_audio_node(&audio.destination());
        let at = audio.current_time();
        let _ = tone.start_with_when(at);
        let _ = tone.stop_with_when(at + 0.4);
    }
}
