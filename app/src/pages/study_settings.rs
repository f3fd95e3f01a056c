use leptos::{ev::SubmitEvent, prelude::*};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    domain::{language::Language, visits::Visit},
    i18n::{Tr, use_tr},
    pages::words::{self, Part, Rich},
    settings_client::{self as api, Answer, Problem, TIMEZONE_EXAMPLE},
    study::StudyBanner,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct StudyDetails {
    name: String,
    default_language: Language,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Site {
    id: Uuid,
    code: String,
    name: String,
    timezone: String,
    emergency_phone: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct SiteList {
    items: Vec<Site>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Contact {
    level: i64,
    channel: String,
    target: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Contacts {
    contacts: Vec<Contact>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Thresholds {
    repeat_window_hours: i64,
    report_within_hours: i64,
    escalate_after_minutes: i64,
    missed_days: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct OutcomeSettings {
    idaa1c_dose_days: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Schedule {
    visits: Vec<Visit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Advice {
    en: String,
    zh: String,
}

/// What a section's save came to: shown under its button.
fn outcome_view(outcome: RwSignal<Option<Answer<()>>>) -> impl IntoView {
    let tr = use_tr();
    move || match outcome.get() {
        Some(Ok(())) => {
            view! { <p class="notice ok" role="status">{tr.t("staff-saved")}</p> }.into_any()
        }
        Some(Err(e)) => {
            view! { <p class="notice error" role="alert">{e.message(tr)}</p> }.into_any()
        }
        None => ().into_any(),
    }
}

/// "Time zone (IANA, such as Asia/Shanghai)", the zone's name as data.
fn timezone_label(tr: Tr) -> Rich {
    Rich::new(
        tr.t_with(
            "settings-site-timezone",
            &[("example", words::slot(0).into())],
        ),
        vec![Part::Data(TIMEZONE_EXAMPLE.into())],
    )
}

fn number(text: &str) -> i64 {
    text.trim().parse().unwrap_or(-1)
}

/// For the admin: the study's name, its sites (time zone, emergency number,
/// alert contacts), the alert thresholds, the visit schedule and the
/// emergency advice in both languages. Every change goes through the JSON
/// API, which checks and audits it.
#[component]
pub fn StudySettings() -> impl IntoView {
    let tr = use_tr();
    // Bumped after a site is added: the list reloads.
    let changes = RwSignal::new(0u32);
    let study = LocalResource::new(|| api::get::<StudyDetails>("/api/v1/study"));
    let sites = LocalResource::new(move || {
        changes.get();
        api::get::<SiteList>("/api/v1/sites")
    });
    let thresholds = LocalResource::new(|| api::get::<Thresholds>("/api/v1/study/alert-settings"));
    let schedule = LocalResource::new(|| api::get::<Schedule>("/api/v1/study/visits"));
    let outcome_settings =
        LocalResource::new(|| api::get::<OutcomeSettings>("/api/v1/study/outcome-settings"));
    let advice = LocalResource::new(|| api::get::<Advice>("/api/v1/study/emergency-advice"));
    let loading = move || view! { <p class="notice">{tr.t("common-loading")}</p> };
    let failed = move |e: Problem| {
        view! { <p class="notice error" role="alert">{e.message(tr)}</p> }.into_any()
    };
    view! {
        <StudyBanner />
        <section class="card wide staff-page">
            <h1>{tr.t("settings-title")}</h1>
            <p class="lead">{tr.t("settings-lead")}</p>
            <h2>{tr.t("settings-study")}</h2>
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match study.await {
                        Ok(s) => view! { <StudyForm current=s /> }.into_any(),
                        Err(e) => failed(e),
                    }
                })}
            </Suspense>
            <h2>{tr.t("settings-sites")}</h2>
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match sites.await {
                        Ok(list) => list.items.into_iter().map(|site| view! { <SiteForm site /> }).collect_view().into_any(),
                        Err(e) => failed(e),
                    }
                })}
            </Suspense>
            <NewSiteForm changes />
            <h2>{tr.t("settings-thresholds")}</h2>
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match thresholds.await {
                        Ok(t) => view! { <ThresholdsForm current=t /> }.into_any(),
                        Err(e) => failed(e),
                    }
                })}
            </Suspense>
            <h2>{tr.t("settings-outcomes")}</h2>
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match outcome_settings.await {
                        Ok(o) => view! { <OutcomeSettingsForm current=o /> }.into_any(),
                        Err(e) => failed(e),
                    }
                })}
            </Suspense>
            <h2>{tr.t("settings-schedule")}</h2>
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match schedule.await {
                        Ok(s) => view! { <ScheduleForm current=s.visits /> }.into_any(),
                        Err(e) => failed(e),
                    }
                })}
            </Suspense>
            <h2>{tr.t("settings-advice")}</h2>
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match advice.await {
                        Ok(a) => view! { <AdviceForm current=a /> }.into_any(),
                        Err(e) => failed(e),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn StudyForm(current: StudyDetails) -> impl IntoView {
    let tr = use_tr();
    let name = RwSignal::new(current.name);
    let language = RwSignal::new(current.default_language.tag().to_owned());
    let outcome = RwSignal::new(None);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let body = StudyDetails {
            name: name.get(),
            default_language: Language::from_tag(&language.get()).unwrap_or_default(),
        };
        leptos::task::spawn_local(async move {
            let answer: Answer<StudyDetails> = api::send("PUT", "/api/v1/study", &body).await;
            outcome.set(Some(answer.map(drop)));
        });
    };
    view! {
        <form class="settings" on:submit=save novalidate>
            <label for="study-name">{tr.t("settings-study-name")}</label>
            <input id="study-name" type="text" bind:value=name />
            <label for="study-language">{tr.t("settings-default-language")}</label>
            <select id="study-language" bind:value=language>
                // Each language by its own name, in itself.
                <option value=Language::ZhCn.tag() lang=Language::ZhCn.tag()>"简体中文 (zh-CN)"</option>
                <option value=Language::En.tag() lang=Language::En.tag()>"English (en)"</option>
            </select>
            <button type="submit" class="button">{tr.t("settings-save-study")}</button>
            {outcome_view(outcome)}
        </form>
    }
}

#[component]
fn SiteForm(site: Site) -> impl IntoView {
    let tr = use_tr();
    let id = site.id;
    let name = RwSignal::new(site.name.clone());
    let timezone = RwSignal::new(site.timezone.clone());
    let phone = RwSignal::new(site.emergency_phone.clone());
    let outcome = RwSignal::new(None);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let body = serde_json::json!({"name": name.get(), "timezone": timezone.get(), "emergency_phone": phone.get()});
        leptos::task::spawn_local(async move {
            let answer: Answer<Site> =
                api::send("PUT", &format!("/api/v1/sites/{id}"), &body).await;
            outcome.set(Some(answer.map(drop)));
        });
    };
    let code = site.code.clone();
    let field = {
        let code = code.clone();
        move |what: &str| format!("site-{code}-{what}")
    };
    let contacts =
        LocalResource::new(move || api::get::<Contacts>(format!("/api/v1/sites/{id}/contacts")));
    view! {
        <div class="site-settings">
            <h3 translate="no">{format!("{} · {}", site.code, site.name)}</h3>
            <form class="settings" on:submit=save novalidate>
                <label for=field("name")>{tr.t("settings-site-name")}</label>
                <input id=field("name") type="text" bind:value=name />
                <label for=field("tz")>{timezone_label(tr).into_view()}</label>
                <input id=field("tz") type="text" bind:value=timezone />
                <label for=field("phone")>{tr.t("settings-site-phone")}</label>
                <input id=field("phone") type="tel" bind:value=phone />
                <button type="submit" class="button">{tr.t("settings-save-site")}</button>
                {outcome_view(outcome)}
            </form>
            <Suspense fallback=move || view! { <p class="notice">{tr.t("settings-loading-contacts")}</p> }>
                {move || {
                    let code = code.clone();
                    Suspend::new(async move {
                    match contacts.await {
                        Ok(c) => view! { <ContactsForm site=id code current=c.contacts /> }.into_any(),
                        Err(e) => view! { <p class="notice error" role="alert">{e.message(tr)}</p> }.into_any(),
                    }
                })}}
            </Suspense>
        </div>
    }
}

#[component]
fn ContactsForm(site: Uuid, code: String, current: Vec<Contact>) -> impl IntoView {
    let tr = use_tr();
    let rows = RwSignal::new(
        current
            .into_iter()
            .map(|c| {
                (
                    RwSignal::new(c.level.to_string()),
                    RwSignal::new(c.channel),
                    RwSignal::new(c.target),
                )
            })
            .collect::<Vec<_>>(),
    );
    let outcome = RwSignal::new(None);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let contacts: Vec<Contact> = rows
            .get()
            .iter()
            .map(|(level, channel, target)| Contact {
                level: number(&level.get()),
                channel: channel.get(),
                target: target.get(),
            })
            .collect();
        leptos::task::spawn_local(async move {
            let answer: Answer<Contacts> = api::send(
                "PUT",
                &format!("/api/v1/sites/{site}/contacts"),
                &Contacts { contacts },
            )
            .await;
            outcome.set(Some(answer.map(drop)));
        });
    };
    let add = move |_| {
        rows.update(|r| {
            r.push((
                RwSignal::new("0".into()),
                RwSignal::new("email".into()),
                RwSignal::new(String::new()),
            ))
        })
    };
    view! {
        <form class="settings" on:submit=save novalidate>
            <h4>{tr.t("settings-contacts-title")}</h4>
            {move || rows.get().into_iter().enumerate().map(|(i, (level, channel, target))| {
                let id = |what: &str| format!("contact-{code}-{i}-{what}", code = code.clone());
                view! {
                    <div class="contact-row">
                        <div class="field">
                            <label for=id("level")>{tr.t("settings-contact-level")}</label>
                            <input id=id("level") type="number" min="0" max="9" bind:value=level />
                        </div>
                        <div class="field">
                            <label for=id("channel")>{tr.t("settings-contact-channel")}</label>
                            <select id=id("channel") bind:value=channel>
                                <option value="email">{tr.t("settings-channel-email")}</option>
                                <option value="webhook" translate="no">{tr.t("settings-channel-webhook")}</option>
                            </select>
                        </div>
                        <div class="field">
                            <label for=id("target")>{tr.t("settings-contact-target")}</label>
                            <input id=id("target") type="text" bind:value=target />
                        </div>
                        <button type="button" class="button small" on:click=move |_| rows.update(|r| { r.remove(i); })>{tr.t("settings-remove")}</button>
                    </div>
                }
            }).collect_view()}
            <button type="button" class="button" on:click=add>{tr.t("settings-add-contact")}</button>
            <button type="submit" class="button">{tr.t("settings-save-contacts")}</button>
            {outcome_view(outcome)}
        </form>
    }
}

#[component]
fn NewSiteForm(changes: RwSignal<u32>) -> impl IntoView {
    let tr = use_tr();
    let code = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let timezone = RwSignal::new(TIMEZONE_EXAMPLE.to_owned());
    let phone = RwSignal::new(String::new());
    let outcome = RwSignal::new(None);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let body = serde_json::json!({"code": code.get(), "name": name.get(),
            "timezone": timezone.get(), "emergency_phone": phone.get()});
        leptos::task::spawn_local(async move {
            let answer: Answer<Site> = api::send("POST", "/api/v1/sites", &body).await;
            if answer.is_ok() {
                changes.update(|c| *c += 1);
            }
            outcome.set(Some(answer.map(drop)));
        });
    };
    view! {
        <form class="settings" on:submit=save novalidate>
            <h3>{tr.t("settings-new-site")}</h3>
            <label for="new-site-code">{tr.t("settings-new-site-code")}</label>
            <input id="new-site-code" type="text" bind:value=code />
            <label for="new-site-name">{tr.t("settings-site-name")}</label>
            <input id="new-site-name" type="text" bind:value=name />
            <label for="new-site-tz">{timezone_label(tr).into_view()}</label>
            <input id="new-site-tz" type="text" bind:value=timezone />
            <label for="new-site-phone">{tr.t("settings-site-phone")}</label>
            <input id="new-site-phone" type="tel" bind:value=phone />
            <button type="submit" class="button">{tr.t("settings-add-site")}</button>
            {outcome_view(outcome)}
        </form>
    }
}

#[component]
fn ThresholdsForm(current: Thresholds) -> impl IntoView {
    let tr = use_tr();
    let repeat = RwSignal::new(current.repeat_window_hours.to_string());
    let report = RwSignal::new(current.report_within_hours.to_string());
    let escalate = RwSignal::new(current.escalate_after_minutes.to_string());
    let missed = RwSignal::new(current.missed_days.to_string());
    let outcome = RwSignal::new(None);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let body = Thresholds {
            repeat_window_hours: number(&repeat.get()),
            report_within_hours: number(&report.get()),
            escalate_after_minutes: number(&escalate.get()),
            missed_days: number(&missed.get()),
        };
        leptos::task::spawn_local(async move {
            let answer: Answer<Thresholds> =
                api::send("PUT", "/api/v1/study/alert-settings", &body).await;
            outcome.set(Some(answer.map(drop)));
        });
    };
    view! {
        <form class="settings" on:submit=save novalidate>
            <label for="repeat">{tr.t("settings-repeat")}</label>
            <input id="repeat" type="number" min="1" max="168" bind:value=repeat />
            <label for="report">{tr.t("settings-report")}</label>
            <input id="report" type="number" min="1" max="72" bind:value=report />
            <label for="escalate">{tr.t("settings-escalate")}</label>
            <input id="escalate" type="number" min="1" max="1440" bind:value=escalate />
            <label for="missed">{tr.t("settings-missed")}</label>
            <input id="missed" type="number" min="1" max="30" bind:value=missed />
            <button type="submit" class="button">{tr.t("settings-save-thresholds")}</button>
            {outcome_view(outcome)}
        </form>
    }
}

#[component]
fn OutcomeSettingsForm(current: OutcomeSettings) -> impl IntoView {
    let tr = use_tr();
    let days = RwSignal::new(current.idaa1c_dose_days.to_string());
    let outcome = RwSignal::new(None);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let body = OutcomeSettings {
            idaa1c_dose_days: number(&days.get()),
        };
        leptos::task::spawn_local(async move {
            let answer: Answer<OutcomeSettings> =
                api::send("PUT", "/api/v1/study/outcome-settings", &body).await;
            outcome.set(Some(answer.map(drop)));
        });
    };
    view! {
        <form class="settings" on:submit=save novalidate>
            <label for="idaa1c-days">{tr.t("settings-idaa1c-days")}</label>
            <input id="idaa1c-days" type="number" min="1" max="28" bind:value=days />
            <button type="submit" class="button">{tr.t("settings-save-idaa1c")}</button>
            {outcome_view(outcome)}
        </form>
    }
}

type VisitRow = (
    RwSignal<String>,
    RwSignal<String>,
    RwSignal<String>,
    RwSignal<String>,
    RwSignal<String>,
);

#[component]
fn ScheduleForm(current: Vec<Visit>) -> impl IntoView {
    let tr = use_tr();
    let row = |v: Visit| -> VisitRow {
        (
            RwSignal::new(v.code),
            RwSignal::new(v.name),
            RwSignal::new(v.day.to_string()),
            RwSignal::new(v.before.to_string()),
            RwSignal::new(v.after.to_string()),
        )
    };
    let rows = RwSignal::new(current.into_iter().map(row).collect::<Vec<_>>());
    let outcome = RwSignal::new(None);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let visits: Vec<Visit> = rows
            .get()
            .iter()
            .map(|(code, name, day, before, after)| Visit {
                code: code.get(),
                name: name.get(),
                day: number(&day.get()),
                before: number(&before.get()),
                after: number(&after.get()),
            })
            .collect();
        leptos::task::spawn_local(async move {
            let answer: Answer<Schedule> =
                api::send("PUT", "/api/v1/study/visits", &Schedule { visits }).await;
            outcome.set(Some(answer.map(drop)));
        });
    };
    let add = move |_| {
        rows.update(|r| {
            r.push(row(Visit {
                code: String::new(),
                name: String::new(),
                day: 0,
                before: 0,
                after: 0,
            }))
        })
    };
    view! {
        <form class="settings wide-form" on:submit=save novalidate>
            <div class="table-scroll">
                <table class="schedule">
                    <thead><tr>
                        <th scope="col">{tr.t("settings-visit-code")}</th>
                        <th scope="col">{tr.t("settings-visit-name")}</th>
                        <th scope="col">{tr.t("settings-visit-day")}</th>
                        <th scope="col">{tr.t("settings-visit-before")}</th>
                        <th scope="col">{tr.t("settings-visit-after")}</th>
                        <th scope="col"><span class="visually-hidden">{tr.t("settings-remove")}</span></th>
                    </tr></thead>
                    <tbody>
                        {move || rows.get().into_iter().enumerate().map(|(i, (code, name, day, before, after))| {
                            let n = [("n", (i + 1).into())];
                            view! {
                                <tr>
                                    <td><input type="text" aria-label=tr.t_with("settings-visit-code-label", &n) bind:value=code /></td>
                                    <td><input type="text" aria-label=tr.t_with("settings-visit-name-label", &n) bind:value=name /></td>
                                    <td><input type="number" aria-label=tr.t_with("settings-visit-day-label", &n) bind:value=day /></td>
                                    <td><input type="number" aria-label=tr.t_with("settings-visit-before-label", &n) bind:value=before /></td>
                                    <td><input type="number" aria-label=tr.t_with("settings-visit-after-label", &n) bind:value=after /></td>
                                    <td><button type="button" class="button small" on:click=move |_| rows.update(|r| { r.remove(i); })>{tr.t("settings-remove")}</button></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <button type="button" class="button" on:click=add>{tr.t("settings-add-visit")}</button>
            <button type="submit" class="button">{tr.t("settings-save-schedule")}</button>
            {outcome_view(outcome)}
        </form>
    }
}

#[component]
fn AdviceForm(current: Advice) -> impl IntoView {
    let tr = use_tr();
    let en = RwSignal::new(current.en);
    let zh = RwSignal::new(current.zh);
    let outcome = RwSignal::new(None);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let body = Advice {
            en: en.get(),
            zh: zh.get(),
        };
        leptos::task::spawn_local(async move {
            let answer: Answer<Advice> =
                api::send("PUT", "/api/v1/study/emergency-advice", &body).await;
            outcome.set(Some(answer.map(drop)));
        });
    };
    view! {
        <form class="settings" on:submit=save novalidate>
            <label for="advice-en">{tr.t("settings-advice-en")}</label>
            <textarea id="advice-en" rows="4" prop:value=move || en.get() on:input=move |e| en.set(event_target_value(&e))></textarea>
            <label for="advice-zh">
                {tr.t("settings-advice-zh")}
                {(tr.language == Language::En).then(|| view! { " "<span lang="zh-Hans">"(简体中文)"</span> })}
            </label>
            <textarea id="advice-zh" lang="zh-Hans" rows="4" prop:value=move || zh.get() on:input=move |e| zh.set(event_target_value(&e))></textarea>
            <button type="submit" class="button">{tr.t("settings-save-advice")}</button>
            {outcome_view(outcome)}
        </form>
    }
}
