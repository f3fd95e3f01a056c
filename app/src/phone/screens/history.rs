//! History: the chart, the entries day by day, changing, removing and
//! fixing them, and every version of an entry.

use leptos::{either::Either, ev::SubmitEvent, prelude::*};

use super::{clock, form::field_problem, offset, summary, use_phone};
use crate::{
    domain::{entry::Kind, language::Language, mutation::Op},
    phone::{
        chart::GlucoseChart,
        i18n,
        model::{self, OutMutation, Refusal, Row, RowState},
        state::{Editing, Phone, Screen, now},
    },
};

#[component]
pub(super) fn HistoryScreen() -> impl IntoView {
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
