//! Today: the last reading, today's insulin and lows, and the three log buttons.

use chrono::Timelike;
use leptos::{either::Either, prelude::*};

use super::{clock, offset, reading_text, summary, use_phone};
use crate::{
    i18n::format,
    phone::{
        i18n, model,
        state::{Editing, Screen, now},
    },
};

#[component]
pub(super) fn TodayScreen() -> impl IntoView {
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
