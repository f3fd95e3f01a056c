use leptos::prelude::*;
use uuid::Uuid;

use crate::{
    error::AppError,
    i18n::{Tr, use_tr},
    inbox::{self, FailedDelivery, InboxAlert, inbox},
    pages::words::{self, Part, Rich},
    study::StudyBanner,
};

/// Which alerts the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    All,
    Open,
    Acknowledged,
    /// Potentially serious events whose report to the sponsor is still due.
    ToReport,
}

impl Filter {
    const ALL: [Filter; 4] = [
        Filter::All,
        Filter::Open,
        Filter::Acknowledged,
        Filter::ToReport,
    ];

    fn keeps(self, alert: &InboxAlert) -> bool {
        match self {
            Filter::All => true,
            Filter::Open => alert.status == "open",
            Filter::Acknowledged => alert.status == "acknowledged",
            Filter::ToReport => alert.report_due_at.is_some() && !alert.reported,
        }
    }

    fn label(self, tr: Tr, n: usize) -> String {
        let n = [("n", n.into())];
        match self {
            Filter::All => tr.t_with("inbox-filter-all", &n),
            Filter::Open => tr.t_with("inbox-filter-open", &n),
            Filter::Acknowledged => tr.t_with("inbox-filter-acknowledged", &n),
            Filter::ToReport => tr.t_with("inbox-filter-to-report", &n),
        }
    }
}

/// For investigators: open alerts of their sites, arriving live (the page
/// listens to the alert stream and sounds a tone), acknowledged with a note;
/// potentially serious events count down their 24-hour reporting clock.
#[component]
pub fn Inbox() -> impl IntoView {
    let tr = use_tr();
    // Bumped by the live stream and by actions: the list reloads.
    let changes = RwSignal::new(0u32);
    let fresh = RwSignal::new(false);
    let alerts = Resource::new(move || changes.get(), |_| inbox());
    let filter = RwSignal::new(Filter::All);
    // The clock ticks for the countdowns.
    let now = RwSignal::new(chrono::Utc::now());

    #[cfg(feature = "hydrate")]
    Effect::new(move |_| live::listen(changes, fresh, now));

    view! {
        <StudyBanner />
        <section class="card wide staff-page inbox">
            <h1>{tr.t("inbox-title")}</h1>
            <p class="hint">{tr.t("inbox-site-times")}</p>
            <p class="notice alert-live" class:fresh=move || fresh.get() role="status" aria-live="assertive">
                {move || if fresh.get() { tr.t("inbox-new") } else { tr.t("inbox-live") }}
            </p>
            <Transition fallback=move || view! { <p class="notice">{tr.t("inbox-loading")}</p> }>
                {move || Suspend::new(async move {
                    match alerts.await {
                        Ok(list) if list.is_empty() => view! { <p class="notice">{tr.t("inbox-empty")}</p> }.into_any(),
                        Ok(list) => view! { <AlertList list filter changes now /> }.into_any(),
                        Err(e) => view! { <p class="notice error" role="alert">{e.message(tr)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn AlertList(
    list: Vec<InboxAlert>,
    filter: RwSignal<Filter>,
    changes: RwSignal<u32>,
    now: RwSignal<chrono::DateTime<chrono::Utc>>,
) -> impl IntoView {
    let tr = use_tr();
    let counts: Vec<(Filter, usize)> = Filter::ALL
        .iter()
        .map(|f| (*f, list.iter().filter(|a| f.keeps(a)).count()))
        .collect();
    let list = StoredValue::new(list);
    let shown = move || {
        let show = filter.get();
        list.with_value(|all| {
            all.iter()
                .filter(|a| show.keeps(a))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div class="inbox-filters" role="group" aria-label=tr.t("inbox-filter-label")>
            {counts.into_iter().map(|(f, n)| view! {
                <button
                    type="button"
                    class="button small"
                    aria-pressed=move || if filter.get() == f { "true" } else { "false" }
                    on:click=move |_| filter.set(f)
                >
                    {f.label(tr, n)}
                </button>
            }).collect_view()}
        </div>
        <div class="alerts-head" aria-hidden="true">
            <span>{tr.t("inbox-col-participant")}</span>
            <span>{tr.t("inbox-col-alert")}</span>
            <span>{tr.t("inbox-col-level")}</span>
            <span>{tr.t("inbox-col-created")}</span>
            <span>{tr.t("inbox-col-clock")}</span>
            <span>{tr.t("inbox-col-status")}</span>
            <span>{tr.t("inbox-col-action")}</span>
        </div>
        {move || {
            let rows = shown();
            if rows.is_empty() {
                view! { <p class="notice">{tr.t("inbox-empty-filter")}</p> }.into_any()
            } else {
                view! {
                    <ul class="alerts">
                        {rows.into_iter().map(|alert| view! { <AlertItem alert changes now /> }).collect_view()}
                    </ul>
                }.into_any()
            }
        }}
    }
}

/// "Report to the sponsor within 23 h 05 min", or how long overdue.
fn countdown(tr: Tr, due: &str, now: chrono::DateTime<chrono::Utc>) -> String {
    let Ok(due) = chrono::DateTime::parse_from_rfc3339(due) else {
        return String::new();
    };
    let left = due.with_timezone(&chrono::Utc) - now;
    let minutes = left.num_minutes().abs();
    let args = [
        ("hours", (minutes / 60).into()),
        ("minutes", format!("{:02}", minutes % 60).into()),
    ];
    if left.num_seconds() >= 0 {
        tr.t_with("inbox-report-within", &args)
    } else {
        tr.t_with("inbox-report-overdue", &args)
    }
}

/// A failed delivery, with the channel in words; the address and the cause
/// stay as they came.
fn delivery(tr: Tr, failed: &FailedDelivery) -> Rich {
    let channel = match failed.channel.as_str() {
        "email" => tr.t("settings-channel-email"),
        "webhook" => tr.t("settings-channel-webhook"),
        other => other.to_owned(),
    };
    Rich::new(
        tr.t_with(
            "inbox-delivery",
            &[
                ("channel", channel.into()),
                ("target", words::slot(0).into()),
                ("error", words::slot(1).into()),
            ],
        ),
        vec![
            Part::Data(failed.target.clone()),
            Part::Data(failed.error.clone()),
        ],
    )
}

/// An action's error in words: a conflict means the alert moved on.
fn act_error(tr: Tr, error: &AppError, reported: bool) -> String {
    match error {
        // The server names a conflict after the study id (its generic
        // field); here it is always the alert's state.
        AppError::Invalid(fields) if fields.iter().any(|(f, _)| f == "study_id") => {
            if reported {
                tr.t("inbox-conflict-report")
            } else {
                tr.t("inbox-conflict-acknowledge")
            }
        }
        other => other.message(tr),
    }
}

#[component]
fn AlertItem(
    alert: InboxAlert,
    changes: RwSignal<u32>,
    now: RwSignal<chrono::DateTime<chrono::Utc>>,
) -> impl IntoView {
    let tr = use_tr();
    let note = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let ack = ServerAction::<inbox::Acknowledge>::new();
    let report = ServerAction::<inbox::MarkReported>::new();
    Effect::new(move |_| {
        let done = [(ack.value().get(), false), (report.value().get(), true)];
        for (outcome, reported) in done {
            match outcome {
                Some(Ok(_)) => changes.update(|c| *c += 1),
                Some(Err(e)) => problem.set(Some(act_error(tr, &e, reported))),
                None => {}
            }
        }
    });
    let id: Uuid = alert.id;
    let act = move |reported: bool| {
        let text = note.get();
        if text.trim().is_empty() {
            problem.set(Some(tr.t("inbox-write-first")));
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
    let clock = match (due, alert.reported) {
        (Some(due), _) => {
            view! { <span class="clock">{move || countdown(tr, &due, now.get())}</span> }.into_any()
        }
        (None, true) => view! { <span>{tr.t("inbox-reported")}</span> }.into_any(),
        (None, false) => view! { <span>{tr.t("common-dash")}</span> }.into_any(),
    };
    let label = move |id: &'static str| view! { <span class="cell-label">{tr.t(id)}</span> };
    view! {
        <li class=format!("alert {}", alert.severity)>
            <div class="cell cell-participant">{label("inbox-col-participant")}<span>{alert.study_id.clone()}</span></div>
            <div class="cell cell-what">
                {label("inbox-col-alert")}
                <span>
                    {words::rule(tr, &alert.rule)}
                    {(alert.readings > 1).then(|| {
                        format!(" {}", tr.t_with("inbox-readings", &[("n", alert.readings.into())]))
                    })}
                </span>
            </div>
            <div class="cell cell-level">
                {label("inbox-col-level")}
                <span class=format!("severity {}", alert.severity)>{words::severity(tr, &alert.severity)}</span>
            </div>
            <div class="cell cell-created">{label("inbox-col-created")}<span>{words::site_time(tr, alert.created_at)}</span></div>
            <div class="cell cell-due">{label("inbox-col-clock")}{clock}</div>
            <div class="cell cell-status">
                {label("inbox-col-status")}
                <span class="alert-status">{words::alert_status(tr, &alert.status)}</span>
                {(alert.escalation_level > 0).then(|| view! {
                    <span class="meta">
                        " "{tr.t_with("inbox-escalated", &[("level", alert.escalation_level.into())])}
                    </span>
                })}
            </div>
            <div class="cell cell-action">
                {label("inbox-col-action")}
                {(open || can_report).then(|| view! {
                    <label for=note_id.clone()>{tr.t("inbox-what-was-done")}</label>
                    <input id=note_id.clone() type="text" bind:value=note />
                    <div class="actions">
                        {open.then(|| view! {
                            <button type="button" class="button small" on:click=move |_| act(false) disabled=move || ack.pending().get()>
                                {tr.t("inbox-acknowledge")}
                            </button>
                        })}
                        {can_report.then(|| view! {
                            <button type="button" class="button small" on:click=move |_| act(true) disabled=move || report.pending().get()>
                                {tr.t("inbox-mark-reported")}
                            </button>
                        })}
                    </div>
                    <p class="notice error" role="alert">{move || problem.get()}</p>
                })}
            </div>
            {alert.note.clone().map(|n| {
                let note = Rich::new(
                    tr.t_with("inbox-note", &[("note", words::slot(0).into())]),
                    vec![Part::Data(n)],
                );
                view! { <p class="meta wide-cell">{note.into_view()}</p> }
            })}
            {(!alert.failed_deliveries.is_empty()).then(|| {
                let list = alert.failed_deliveries.iter().map(|d| Part::Rich(delivery(tr, d)));
                let slots = (0..alert.failed_deliveries.len()).map(words::slot).collect::<Vec<_>>();
                let list = Rich::new(slots.join(words::separator(tr)), list.collect());
                let line = Rich::new(
                    tr.t_with("inbox-not-delivered", &[("list", words::slot(0).into())]),
                    vec![Part::Rich(list)],
                );
                view! { <p class="notice error wide-cell">{line.into_view()}</p> }
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
