use leptos::{ev::SubmitEvent, prelude::*};
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::{
    domain::{
        glucose::MG_DL_PER_MMOL_L,
        labs::LabKind,
        outcomes::Figures,
        visits::{UNSCHEDULED, Visit},
    },
    i18n::{Tr, format, use_tr},
    pages::participant::words::{Part, Rich},
    pages::roster::age_group_name,
    review::{self, GlucosePoint, LabLine, ParticipantPage, TimelineEntry, participant_review},
    study::StudyBanner,
};

/// For investigators: one participant over a chosen window of site days:
/// the outcome figures with what each rests on, glucose and insulin charts,
/// visit labs (entered and corrected here), every entry with its versions,
/// the participant's alerts and audit trail.
#[component]
pub fn Participant() -> impl IntoView {
    let tr = use_tr();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| Uuid::parse_str(&s).ok())
    };
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    // The window asked for: changed by "Show", not by every keystroke.
    let asked = RwSignal::new((String::new(), String::new()));
    let changes = RwSignal::new(0u32);
    let review = Resource::new(
        move || (id(), asked.get(), changes.get()),
        |(id, (from, to), _)| async move {
            match id {
                Some(id) => participant_review(id, from, to).await,
                None => Err(crate::error::AppError::NotAllowed),
            }
        },
    );
    let show = move |ev: SubmitEvent| {
        ev.prevent_default();
        asked.set((from.get(), to.get()));
    };
    view! {
        <StudyBanner />
        <section class="card wide staff-page">
            <p><a href="/participants">{tr.t("staff-back-to-roster")}</a></p>
            <form class="window" on:submit=show>
                <h2 class="visually-hidden">{tr.t("review-window")}</h2>
                <div class="field">
                    <label for="window-from">{tr.t("review-from")}</label>
                    <input id="window-from" type="date" lang=tr.language.tag() aria-describedby="window-hint" bind:value=from />
                </div>
                <div class="field">
                    <label for="window-to">{tr.t("review-to")}</label>
                    <input id="window-to" type="date" lang=tr.language.tag() aria-describedby="window-hint" bind:value=to />
                </div>
                <button type="submit" class="button">{tr.t("review-show")}</button>
                <p class="hint" id="window-hint">{tr.t("staff-date-hint")}</p>
            </form>
            <Transition fallback=move || view! { <p class="notice">{tr.t("common-loading")}</p> }>
                {move || Suspend::new(async move {
                    match review.await {
                        Ok(r) => {
                            if from.get_untracked().is_empty() {
                                from.set(r.figures.window.from.to_string());
                                to.set(r.figures.window.to.to_string());
                            }
                            view! { <Review review=r changes /> }.into_any()
                        }
                        Err(e) => view! { <p class="notice error" role="alert">{e.message(tr)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Review(review: ParticipantPage, changes: RwSignal<u32>) -> impl IntoView {
    let tr = use_tr();
    let language = tr.language;
    let title = format!("{} · {}", review.study_id, review.site_code);
    let about = tr.t_with(
        "review-about",
        &[
            ("age_group", age_group_name(tr, review.age_group).into()),
            (
                "enrolled",
                format::date(language, review.enrolled_on).into(),
            ),
            (
                "diagnosed",
                format::date(language, review.diagnosis_date).into(),
            ),
        ],
    );
    let window = &review.figures.window;
    let figures_title = tr.t_with(
        "review-figures-title",
        &[
            ("from", format::date(language, window.from).into()),
            ("to", format::date(language, window.to).into()),
            ("days", window.days.into()),
        ],
    );
    let days = window.days;
    let alerts = if review.alerts.is_empty() {
        view! { <p class="notice">{tr.t("review-no-alerts")}</p> }.into_any()
    } else {
        view! {
            <ul class="plain">
                {review.alerts.iter().map(|a| {
                    let created = words::site_time(tr, a.created_at);
                    let rule = words::rule(tr, &a.rule);
                    let severity = words::severity(tr, &a.severity);
                    let status = words::alert_status(tr, &a.status);
                    let line = match &a.note {
                        Some(note) => Rich::new(
                            tr.t_with(
                                "review-alert-line-note",
                                &[
                                    ("created", created.into()),
                                    ("rule", rule.into()),
                                    ("severity", severity.into()),
                                    ("status", status.into()),
                                    ("note", words::slot(0).into()),
                                ],
                            ),
                            vec![Part::Data(note.clone())],
                        ),
                        None => Rich::text(tr.t_with(
                            "review-alert-line",
                            &[
                                ("created", created.into()),
                                ("rule", rule.into()),
                                ("severity", severity.into()),
                                ("status", status.into()),
                            ],
                        )),
                    };
                    view! { <li class=format!("alert {}", a.severity)>{line.into_view()}</li> }
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <h1>{title}</h1>
        <p class="lead">{about}</p>
        <p class="hint">{Rich::new(
            tr.t_with("review-site-times", &[("zone", words::slot(0).into())]),
            vec![Part::Data(review.timezone.clone())],
        ).into_view()}</p>
        <h2>{figures_title}</h2>
        <FigureCards figures=review.figures.clone() />
        <h2>{tr.t("review-glucose")}</h2>
        <GlucoseChart points=review.glucose.clone() from=review.figures.window.from days />
        <h2>{tr.t("review-daily-insulin")}</h2>
        <InsulinChart totals=review.daily_insulin.clone() from=review.figures.window.from days />
        <h2>{tr.t("review-labs")}</h2>
        <Labs participant=review.participant_id labs=review.labs.clone() visits=review.visits.clone() changes />
        <h2>{tr.t("review-entries")}</h2>
        <Timeline entries=review.timeline.clone() />
        <h2>{tr.t("review-alerts")}</h2>
        {alerts}
        <h2>{tr.t("review-audit")}</h2>
        <div class="table-scroll">
            <table class="audit">
                <thead><tr>
                    <th scope="col">{tr.t("review-audit-when")}</th>
                    <th scope="col">{tr.t("review-audit-who")}</th>
                    <th scope="col">{tr.t("review-audit-what")}</th>
                    <th scope="col">{tr.t("review-audit-record")}</th>
                </tr></thead>
                <tbody>
                    {review.audit.iter().map(|a| view! {
                        <tr>
                            <td class="nowrap">{words::site_time(tr, a.at)}</td>
                            <td>{words::person(tr, &a.actor).into_view()}</td>
                            <td><code translate="no">{a.action.clone()}</code></td>
                            <td><code translate="no">{a.entity.clone()}</code></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn mg(tr: Tr, value: f64) -> String {
    tr.t_with(
        "review-mg",
        &[
            ("mg", format::fixed(value, 0).into()),
            ("mmol", format::fixed(value / MG_DL_PER_MMOL_L, 1).into()),
        ],
    )
}

fn or_dash<T>(tr: Tr, value: Option<T>, show: impl Fn(T) -> String) -> String {
    value.map(show).unwrap_or_else(|| tr.t("common-dash"))
}

/// What each figure rests on, in words (the same facts as
/// `outcomes::basis`, which the server sends in English).
struct Basis {
    glucose: String,
    insulin: String,
    hypoglycemia: String,
    idaa1c: String,
    completeness: String,
}

fn basis(tr: Tr, figures: &Figures) -> Basis {
    let language = tr.language;
    let days = figures.window.days;
    let insulin_days = figures.insulin.days_with_data;
    let events: usize = figures.hypoglycemia.events_by_level.values().sum();
    let idaa1c = match (&figures.hba1c, &figures.idaa1c) {
        (Some(h), Some(_)) => tr.t_with(
            "review-basis-idaa1c",
            &[
                ("date", format::date(language, h.taken_at).into()),
                ("insulin_days", insulin_days.into()),
            ],
        ),
        (Some(h), None) => tr.t_with(
            "review-basis-idaa1c-no-insulin",
            &[("date", format::date(language, h.taken_at).into())],
        ),
        (None, _) => tr.t("review-basis-no-hba1c"),
    };
    Basis {
        glucose: tr.t_with(
            "review-basis-glucose",
            &[
                ("readings", figures.glucose.count.into()),
                ("days", days.into()),
                ("from", format::date(language, figures.window.from).into()),
                ("to", format::date(language, figures.window.to).into()),
            ],
        ),
        insulin: tr.t_with(
            "review-basis-insulin",
            &[("insulin_days", insulin_days.into()), ("days", days.into())],
        ),
        hypoglycemia: tr.t_with(
            "review-basis-hypoglycemia",
            &[("events", events.into()), ("days", days.into())],
        ),
        idaa1c,
        completeness: tr.t_with(
            "review-basis-completeness",
            &[
                ("with", figures.completeness.days_with_entries.into()),
                ("days", days.into()),
            ],
        ),
    }
}

#[component]
fn FigureCards(figures: Figures) -> impl IntoView {
    let tr = use_tr();
    let language = tr.language;
    let basis = basis(tr, &figures);
    let g = &figures.glucose;
    let ranges = g.ranges.as_ref().map(|r| {
        tr.t_with(
            "review-glucose-ranges",
            &[
                ("below_54", format::percent(r.below_54).into()),
                ("from_54", format::percent(r.from_54_to_69).into()),
                ("from_70", format::percent(r.from_70_to_180).into()),
                ("from_181", format::percent(r.from_181_to_250).into()),
                ("above_250", format::percent(r.above_250).into()),
            ],
        )
    });
    let glucose = tr.t_with(
        "review-glucose-stats",
        &[
            ("count", g.count.into()),
            ("mean", or_dash(tr, g.mean_mg_dl, |v| mg(tr, v)).into()),
            ("sd", or_dash(tr, g.sd_mg_dl, |v| mg(tr, v)).into()),
            (
                "cv",
                or_dash(tr, g.cv, |cv| format!("{} %", format::fixed(cv * 100.0, 1))).into(),
            ),
        ],
    );
    let insulin = tr.t_with(
        "review-insulin-stats",
        &[
            (
                "daily",
                or_dash(tr, figures.insulin.mean_daily_units, |u| {
                    tr.t_with("review-units", &[("units", format::fixed(u, 1).into())])
                })
                .into(),
            ),
            (
                "per_kg",
                or_dash(tr, figures.insulin.mean_units_per_kg, |u| {
                    tr.t_with(
                        "review-units-per-kg",
                        &[("units", format::fixed(u, 2).into())],
                    )
                })
                .into(),
            ),
        ],
    );
    let h = &figures.hypoglycemia;
    let list = |text: String| [("list", text.into())];
    let hba1c = tr.t_with(
        "review-hba1c-idaa1c",
        &[
            (
                "hba1c",
                or_dash(tr, figures.hba1c.as_ref(), |h| {
                    tr.t_with(
                        "staff-hba1c-value",
                        &[
                            ("value", format::fixed(h.value_percent, 1).into()),
                            ("date", format::date(language, h.taken_at).into()),
                        ],
                    )
                })
                .into(),
            ),
            (
                "idaa1c",
                or_dash(tr, figures.idaa1c.as_ref(), |i| {
                    let value = format::fixed(i.value, 2);
                    if i.partial_remission {
                        tr.t_with("review-idaa1c-remission", &[("value", value.into())])
                    } else {
                        value
                    }
                })
                .into(),
            ),
        ],
    );
    view! {
        <div class="outcome-cards">
            <div class="outcome">
                <h3>{tr.t("review-card-glucose")}</h3>
                <p>{glucose}</p>
                <p>{ranges.unwrap_or_else(|| tr.t("review-no-readings"))}</p>
                <p class="basis">{basis.glucose}</p>
            </div>
            <div class="outcome">
                <h3>{tr.t("review-card-insulin")}</h3>
                <p>{insulin}</p>
                <p class="basis">{basis.insulin}</p>
            </div>
            <div class="outcome">
                <h3>{tr.t("review-card-hypoglycemia")}</h3>
                <p>{tr.t_with("review-hypo-readings", &list(words::level_counts(tr, &h.readings_by_level)))}</p>
                <p>{tr.t_with("review-hypo-events", &list(words::level_counts(tr, &h.events_by_level)))}</p>
                <p>{tr.t_with("review-hypo-classes", &list(words::class_counts(tr, &h.events_by_ada2005_class)))}</p>
                <p>{tr.t_with("review-hypo-severe", &[("n", h.severe_events.into())])}</p>
                <p class="basis">{basis.hypoglycemia}</p>
            </div>
            <div class="outcome">
                <h3>{tr.t("review-card-hba1c")}</h3>
                <p>{hba1c}</p>
                <p class="basis">{basis.idaa1c}</p>
            </div>
            <div class="outcome">
                <h3>{tr.t("review-card-completeness")}</h3>
                <p>{format::percent(figures.completeness.ratio)}</p>
                <p class="basis">{basis.completeness}</p>
            </div>
        </div>
    }
}

const CHART_W: f64 = 720.0;
const CHART_H: f64 = 220.0;
/// The glucose chart's top, mg/dL (HI is drawn there).
const TOP_MG: f64 = 400.0;

fn y_of(mg: f64) -> f64 {
    CHART_H - (mg.clamp(0.0, TOP_MG) / TOP_MG) * CHART_H
}

#[component]
fn GlucoseChart(points: Vec<GlucosePoint>, from: chrono::NaiveDate, days: i64) -> impl IntoView {
    let tr = use_tr();
    let hours = (days.max(1) * 24) as f64;
    let x = move |h: f64| h / hours * CHART_W;
    let label = tr.t_with("review-glucose-chart", &[("n", points.len().into())]);
    view! {
        <svg class="chart" viewBox=format!("0 0 {CHART_W} {CHART_H}") role="img" aria-label=label>
            <rect class="target" x="0" y=y_of(180.0) width=CHART_W height=y_of(70.0) - y_of(180.0) />
            <line class="low" x1="0" x2=CHART_W y1=y_of(54.0) y2=y_of(54.0) />
            {(0..days).filter(|d| days <= 14 || d % 7 == 0).map(|d| {
                let at = x(d as f64 * 24.0);
                view! {
                    <line class="tick" x1=at x2=at y1="0" y2=CHART_H />
                    <text x=at + 2.0 y=CHART_H - 4.0>{(from + chrono::Duration::days(d)).format("%m-%d").to_string()}</text>
                }
            }).collect_view()}
            <text x="4" y=y_of(180.0) - 4.0>"180 mg/dL · 10.0 mmol/L"</text>
            <text x="4" y=y_of(70.0) + 14.0>"70 mg/dL · 3.9 mmol/L"</text>
            {points.iter().map(|p| view! {
                <circle cx=x(p.hours) cy=y_of(p.mg_dl) r="3" class:flag=p.flag.is_some()>
                    <title>{match &p.flag { Some(f) => f.clone(), None => mg(tr, p.mg_dl) }}</title>
                </circle>
            }).collect_view()}
        </svg>
    }
}

#[component]
fn InsulinChart(
    totals: Vec<(chrono::NaiveDate, f64)>,
    from: chrono::NaiveDate,
    days: i64,
) -> impl IntoView {
    let tr = use_tr();
    let top = totals.iter().map(|(_, u)| *u).fold(10.0_f64, f64::max);
    let slot = CHART_W / days.max(1) as f64;
    let label = tr.t_with("review-insulin-chart", &[("n", totals.len().into())]);
    view! {
        <svg class="chart" viewBox=format!("0 0 {CHART_W} {CHART_H}") role="img" aria-label=label>
            <text x="4" y="14">{tr.t_with("review-units", &[("units", format::fixed(top, 0).into())])}</text>
            {totals.iter().map(|(day, units)| {
                let i = (*day - from).num_days() as f64;
                let height = units / top * (CHART_H - 20.0);
                let title = tr.t_with(
                    "review-insulin-bar",
                    &[
                        ("date", format::date(tr.language, *day).into()),
                        ("units", format::fixed(*units, 1).into()),
                    ],
                );
                view! {
                    <rect class="bar" x=i * slot + 1.0 y=CHART_H - height width=(slot - 2.0).max(1.0) height=height>
                        <title>{title}</title>
                    </rect>
                }
            }).collect_view()}
        </svg>
    }
}

#[component]
fn Timeline(entries: Vec<TimelineEntry>) -> impl IntoView {
    let tr = use_tr();
    if entries.is_empty() {
        return view! { <p class="notice">{tr.t("review-no-entries")}</p> }.into_any();
    }
    view! {
        <ol class="timeline">
            {entries.into_iter().map(|e| {
                let current = e
                    .versions
                    .last()
                    .map(|v| words::entry(tr, &v.data))
                    .unwrap_or_default();
                let versions = e.versions.len();
                view! {
                    <li class:voided=e.voided>
                        <p class="what">
                            <span class="when">{words::site_time(tr, e.event_at)}</span>" "
                            {if e.voided {
                                view! { <s>{current}</s>" "{tr.t("review-removed")}}.into_any()
                            } else {
                                view! { <span>{current}</span> }.into_any()
                            }}
                        </p>
                        {e.classification.as_ref().map(|c| view! { <p class="meta">{words::classification(tr, c)}</p> })}
                        <details open={versions > 1}>
                            <summary>{tr.t_with("review-versions", &[("n", versions.into())])}</summary>
                            <ol class="versions">
                                {e.versions.iter().map(|v| {
                                    let line = Rich::new(
                                        tr.t_with(
                                            "review-version-line",
                                            &[
                                                ("version", v.version.into()),
                                                ("op", words::op(tr, &v.op).into()),
                                                ("what", words::entry(tr, &v.data).into()),
                                                ("who", words::slot(0).into()),
                                                ("device", words::slot(1).into()),
                                                ("recorded", words::device_time(tr, v.recorded_at).into()),
                                                ("received", words::site_time(tr, v.received_at).into()),
                                            ],
                                        ),
                                        vec![
                                            Part::Rich(words::person(tr, &v.entered_by)),
                                            Part::Data(v.device_id.clone()),
                                        ],
                                    );
                                    view! {
                                        <li>
                                            {line.into_view()}
                                            {v.late.then(|| view! { " · "<span class="flag">{tr.t("review-late")}</span> })}
                                            {v.reason.as_ref().map(|r| view! {
                                                <span class="reason">" · "{words::reason(tr, r).into_view()}</span>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        </details>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
    .into_any()
}

fn kind_name(tr: Tr, kind: LabKind) -> String {
    match kind {
        LabKind::Weight => tr.t("review-lab-weight"),
        LabKind::Hba1c => tr.t("review-lab-hba1c"),
        LabKind::CPeptideFasting => tr.t("review-lab-c-peptide-fasting"),
        LabKind::CPeptideStimulated => tr.t("review-lab-c-peptide-stimulated"),
        LabKind::Other => tr.t("review-lab-other"),
    }
}

const KINDS: [LabKind; 5] = [
    LabKind::Weight,
    LabKind::Hba1c,
    LabKind::CPeptideFasting,
    LabKind::CPeptideStimulated,
    LabKind::Other,
];

/// A visit by its name in the schedule ("unscheduled" in words).
/// A visit by its name in the schedule ("unscheduled" in words); the
/// names are the study's, in the language the admin wrote them.
fn visit_name(tr: Tr, visits: &[Visit], code: &str) -> Rich {
    if code == UNSCHEDULED {
        return Rich::text(tr.t("review-visit-unscheduled"));
    }
    Rich::data(
        visits
            .iter()
            .find(|v| v.code == code)
            .map_or_else(|| code.to_owned(), |v| v.name.clone()),
    )
}

#[component]
fn Labs(
    participant: Uuid,
    labs: Vec<LabLine>,
    visits: Vec<Visit>,
    changes: RwSignal<u32>,
) -> impl IntoView {
    let tr = use_tr();
    // The lab being corrected, if any: the form fills with it.
    let editing = RwSignal::new(None::<LabLine>);
    let removing = RwSignal::new(None::<LabLine>);
    view! {
        <div class="table-scroll">
            <table class="labs">
                <thead><tr>
                    <th scope="col">{tr.t("review-lab-visit")}</th>
                    <th scope="col">{tr.t("review-lab-taken")}</th>
                    <th scope="col">{tr.t("review-lab-result")}</th>
                    <th scope="col">{tr.t("review-lab-entered-by")}</th>
                    <th scope="col">{tr.t("review-lab-versions")}</th>
                    <th scope="col"><span class="visually-hidden">{tr.t("review-lab-actions")}</span></th>
                </tr></thead>
                <tbody>
                    {labs.into_iter().map(|lab| {
                        let result = words::lab_result(tr, &lab);
                        let edit = lab.clone();
                        let remove = lab.clone();
                        view! {
                            <tr class:voided=lab.voided>
                                <td>{visit_name(tr, &visits, &lab.visit).into_view()}</td>
                                <td>{words::taken_at(tr, &lab.taken_at)}</td>
                                <td>{if lab.voided {
                                    view! { <s>{result.into_view()}</s>" "{tr.t("review-removed")} }.into_any()
                                } else {
                                    view! { <span>{result.into_view()}</span> }.into_any()
                                }}</td>
                                <td>
                                    {words::person(tr, &lab.entered_by).into_view()}
                                    {lab.reason.as_ref().map(|r| view! { " · "{words::reason(tr, r).into_view()} })}
                                </td>
                                <td>{tr.t_with("review-version", &[("version", lab.version.into())])}
                                    {lab.earlier.iter().map(|line| view! { <div class="meta">{words::earlier_lab(tr, line).into_view()}</div> }).collect_view()}
                                </td>
                                <td>{(!lab.voided).then(|| view! {
                                    <button type="button" class="button small" on:click=move |_| { removing.set(None); editing.set(Some(edit.clone())) }>{tr.t("review-lab-correct")}</button>
                                    <button type="button" class="button small" on:click=move |_| { editing.set(None); removing.set(Some(remove.clone())) }>{tr.t("review-lab-remove")}</button>
                                })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {move || removing.get().map(|lab| view! { <RemoveLab lab removing changes /> })}
        {move || {
            let lab = editing.get();
            view! { <LabForm participant lab visits=visits.clone() editing changes /> }
        }}
    }
}

#[component]
fn RemoveLab(
    lab: LabLine,
    removing: RwSignal<Option<LabLine>>,
    changes: RwSignal<u32>,
) -> impl IntoView {
    let tr = use_tr();
    let reason = RwSignal::new(String::new());
    let act = ServerAction::<review::VoidLab>::new();
    let problem = RwSignal::new(None::<String>);
    Effect::new(move |_| match act.value().get() {
        Some(Ok(())) => {
            removing.set(None);
            changes.update(|c| *c += 1);
        }
        Some(Err(e)) => problem.set(Some(e.message(tr))),
        None => {}
    });
    let (id, version) = (lab.lab_id, lab.version);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if reason.get().trim().is_empty() {
            problem.set(Some(tr.t("review-lab-remove-reason-needed")));
            return;
        }
        act.dispatch(review::VoidLab {
            lab_id: id,
            base_version: version,
            reason: reason.get(),
        });
    };
    let title = tr.t_with(
        "review-lab-remove-title",
        &[
            ("kind", kind_name(tr, lab.kind).into()),
            ("taken", words::taken_at(tr, &lab.taken_at).into()),
        ],
    );
    view! {
        <form class="lab-form" on:submit=submit>
            <h3>{title}</h3>
            <label for="void-reason">{tr.t("review-lab-reason")}</label>
            <input id="void-reason" type="text" bind:value=reason />
            <button type="submit" class="button" disabled=move || act.pending().get()>{tr.t("review-lab-remove-submit")}</button>
            <button type="button" class="button" on:click=move |_| removing.set(None)>{tr.t("common-cancel")}</button>
            <p class="notice error" role="alert">{move || problem.get()}</p>
        </form>
    }
}

/// What the lab form finds wrong before asking the server, in words.
fn lab_problem(
    tr: Tr,
    kind: LabKind,
    taken_at: &str,
    name: &str,
    value: &str,
    unit: &str,
) -> Option<String> {
    if taken_at.trim().is_empty() {
        return Some(tr.t("review-lab-taken-needed"));
    }
    if kind == LabKind::Other && name.trim().is_empty() {
        return Some(tr.t("review-lab-name-needed"));
    }
    let Some(number) = value
        .trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
    else {
        return Some(tr.t("review-lab-value-number"));
    };
    match kind.units().iter().find(|(u, _, _)| *u == unit) {
        Some((unit, low, high)) if !(*low..=*high).contains(&number) => Some(tr.t_with(
            "review-lab-value-range",
            &[
                ("low", format::number(*low, 3).into()),
                ("high", format::number(*high, 3).into()),
                ("unit", (*unit).into()),
            ],
        )),
        _ => None,
    }
}

#[component]
fn LabForm(
    participant: Uuid,
    lab: Option<LabLine>,
    visits: Vec<Visit>,
    editing: RwSignal<Option<LabLine>>,
    changes: RwSignal<u32>,
) -> impl IntoView {
    let tr = use_tr();
    let correcting = lab.as_ref().map(|l| (l.lab_id, l.version));
    let visit = RwSignal::new(lab.as_ref().map(|l| l.visit.clone()).unwrap_or_else(|| {
        visits
            .first()
            .map(|v| v.code.clone())
            .unwrap_or_else(|| UNSCHEDULED.into())
    }));
    let taken_at = RwSignal::new(lab.as_ref().map(|l| l.taken_at.clone()).unwrap_or_default());
    let kind = RwSignal::new(
        lab.as_ref()
            .map(|l| l.kind)
            .unwrap_or(LabKind::Weight)
            .as_str()
            .to_owned(),
    );
    let name = RwSignal::new(
        lab.as_ref()
            .and_then(|l| l.name.clone())
            .unwrap_or_default(),
    );
    let value = RwSignal::new(
        lab.as_ref()
            .map(|l| format::number(l.value, 6))
            .unwrap_or_default(),
    );
    let unit = RwSignal::new(
        lab.as_ref()
            .map(|l| l.unit.clone())
            .unwrap_or_else(|| "kg".into()),
    );
    let reason = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let act = ServerAction::<review::SaveLab>::new();
    Effect::new(move |_| match act.value().get() {
        Some(Ok(())) => {
            saved.set(true);
            problem.set(None);
            editing.set(None);
            changes.update(|c| *c += 1);
        }
        Some(Err(e)) => problem.set(Some(e.message(tr))),
        None => {}
    });
    let kind_now = move || LabKind::parse(&kind.get()).unwrap_or(LabKind::Other);
    // A kind with fixed units starts on its first one.
    let on_kind = move |_| {
        if let Some((first, _, _)) = kind_now().units().first() {
            unit.set((*first).to_owned());
        }
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        if correcting.is_some() && reason.get().trim().is_empty() {
            problem.set(Some(tr.t("review-lab-reason-needed")));
            return;
        }
        let found = lab_problem(
            tr,
            kind_now(),
            &taken_at.get(),
            &name.get(),
            &value.get(),
            &unit.get(),
        );
        if found.is_some() {
            problem.set(found);
            return;
        }
        problem.set(None);
        act.dispatch(review::SaveLab {
            lab: review::LabSubmission {
                participant_id: participant,
                lab_id: correcting.map(|c| c.0),
                base_version: correcting.map(|c| c.1),
                reason: correcting.map(|_| reason.get()),
                visit: visit.get(),
                taken_at: taken_at.get(),
                kind: kind_now(),
                name: Some(name.get()),
                value: value.get(),
                unit: unit.get(),
            },
        });
    };
    let title = match &lab {
        Some(l) => tr.t_with(
            "review-lab-correct-title",
            &[
                ("kind", kind_name(tr, l.kind).into()),
                ("taken", words::taken_at(tr, &l.taken_at).into()),
            ],
        ),
        None => tr.t("review-lab-add-title"),
    };
    view! {
        <form class="lab-form" on:submit=submit novalidate>
            <h3>{title}</h3>
            <label for="lab-visit">{tr.t("review-lab-visit")}</label>
            <select id="lab-visit" bind:value=visit>
                {visits.iter().map(|v| {
                    let label = tr.t_with("review-visit-option", &[("name", (&v.name).into()), ("day", v.day.into())]);
                    // The visit's name is the study's own (data).
                    view! { <option value=v.code.clone() translate="no">{label}</option> }
                }).collect_view()}
                <option value=UNSCHEDULED>{tr.t("review-visit-unscheduled")}</option>
            </select>
            <label for="lab-taken">{tr.t("review-lab-taken-on")}</label>
            <input id="lab-taken" type="date" lang=tr.language.tag() aria-describedby="lab-taken-hint" bind:value=taken_at />
            <p class="hint" id="lab-taken-hint">{tr.t("staff-date-hint")}</p>
            <label for="lab-kind">{tr.t("review-lab-result")}</label>
            <select id="lab-kind" bind:value=kind on:change=on_kind>
                {KINDS.iter().map(|k| view! { <option value=k.as_str()>{kind_name(tr, *k)}</option> }).collect_view()}
            </select>
            <Show when=move || kind_now() == LabKind::Other>
                <label for="lab-name">{tr.t("review-lab-name")}</label>
                <input id="lab-name" type="text" placeholder=tr.t("review-lab-name-placeholder") bind:value=name />
            </Show>
            <label for="lab-value">{tr.t("review-lab-value")}</label>
            <input id="lab-value" type="text" inputmode="decimal" bind:value=value />
            <label for="lab-unit">{tr.t("review-lab-unit")}</label>
            {move || {
                let units = kind_now().units();
                if units.is_empty() {
                    view! { <input id="lab-unit" type="text" placeholder="U/mL" bind:value=unit /> }.into_any()
                } else {
                    view! {
                        <select id="lab-unit" bind:value=unit>
                            {units.iter().map(|(u, _, _)| view! { <option value=*u translate="no">{*u}</option> }).collect_view()}
                        </select>
                    }.into_any()
                }
            }}
            {correcting.is_some().then(|| view! {
                <label for="lab-reason">{tr.t("review-lab-correction-reason")}</label>
                <input id="lab-reason" type="text" bind:value=reason />
            })}
            <button type="submit" class="button primary" disabled=move || act.pending().get()>
                {if correcting.is_some() { tr.t("review-lab-save-correction") } else { tr.t("review-lab-save") }}
            </button>
            {correcting.is_some().then(|| view! {
                <button type="button" class="button" on:click=move |_| editing.set(None)>{tr.t("common-cancel")}</button>
            })}
            <p class="notice error" role="alert">{move || problem.get()}</p>
            <p class="notice ok" role="status">{move || saved.get().then(|| tr.t("staff-saved"))}</p>
        </form>
    }
}

/// The staff pages' words for what the server sends as codes and
/// structured records (a person with their role, an entry, a
/// classification, an earlier lab version, a time on the site's clock), said
/// in the page's language. An unknown code is shown as it came.
pub(crate) mod words {
    use std::collections::BTreeMap;

    use chrono::{DateTime, FixedOffset, NaiveDate};
    use leptos::prelude::*;

    use crate::{
        domain::{
            alerts::Rule,
            classification::{Ada2005Class, Classification},
            entry::{
                EntryData, GlucoseContext, GlucoseSource, InsulinPurpose, InsulinType, Treatment,
            },
            glucose::{GlucoseUnit, GlucoseValue, MeterFlag},
            language::Language,
        },
        i18n::{Tr, format},
        review::{EarlierLab, LabLine, Person},
    };

    const OPEN: char = '\u{E000}';
    const CLOSE: char = '\u{E001}';

    /// Where the `i`th part goes in a message (a slot's value, replaced
    /// when the message is shown).
    pub fn slot(i: usize) -> String {
        format!("{OPEN}{i}{CLOSE}")
    }

    /// A part of a message that is data, not the interface's words.
    pub enum Part {
        /// A name, a code, a note as typed: shown `translate="no"`.
        Data(String),
        Rich(Rich),
    }

    /// A message with data in it: people's names, notes, codes and units
    /// are marked as not the page's language (`translate="no"`), so the
    /// browser does not translate them and checks do not count them.
    pub struct Rich {
        text: String,
        parts: Vec<Part>,
    }

    impl Rich {
        /// `text` with [`slot`]s for `parts`.
        pub fn new(text: String, parts: Vec<Part>) -> Rich {
            Rich { text, parts }
        }

        pub fn text(text: String) -> Rich {
            Rich::new(text, Vec::new())
        }

        pub fn data(text: impl Into<String>) -> Rich {
            Rich::new(slot(0), vec![Part::Data(text.into())])
        }

        fn pieces(&self) -> Vec<(Option<usize>, &str)> {
            let mut out = Vec::new();
            let mut rest = self.text.as_str();
            while let Some(start) = rest.find(OPEN) {
                let (before, after) = rest.split_at(start);
                let after = &after[OPEN.len_utf8()..];
                let Some(end) = after.find(CLOSE) else { break };
                out.push((None, before));
                out.push((after[..end].parse().ok(), ""));
                rest = &after[end + CLOSE.len_utf8()..];
            }
            out.push((None, rest));
            out
        }

        /// As plain text (the data in place).
        #[cfg(test)]
        pub fn plain(&self) -> String {
            self.pieces()
                .into_iter()
                .map(|(part, text)| match part.and_then(|i| self.parts.get(i)) {
                    Some(Part::Data(data)) => data.clone(),
                    Some(Part::Rich(rich)) => rich.plain(),
                    None => text.to_owned(),
                })
                .collect()
        }

        pub fn into_view(self) -> Vec<AnyView> {
            let pieces: Vec<(Option<usize>, String)> = self
                .pieces()
                .into_iter()
                .map(|(part, text)| (part, text.to_owned()))
                .collect();
            let mut parts: Vec<Option<Part>> = self.parts.into_iter().map(Some).collect();
            pieces
                .into_iter()
                .filter_map(|(part, text)| match part {
                    Some(i) => match parts.get_mut(i).and_then(Option::take) {
                        Some(Part::Data(data)) => {
                            Some(view! { <span translate="no">{data}</span> }.into_any())
                        }
                        Some(Part::Rich(rich)) => Some(rich.into_view().into_any()),
                        None => None,
                    },
                    None if text.is_empty() => None,
                    None => Some(text.into_any()),
                })
                .collect()
        }
    }

    /// `reason: ...`, the reason as typed.
    pub fn reason(tr: Tr, reason: &str) -> Rich {
        Rich::new(
            tr.t_with("review-reason", &[("reason", slot(0).into())]),
            vec![Part::Data(reason.to_owned())],
        )
    }

    /// How a list's items are separated in the page's language.
    pub fn separator(tr: Tr) -> &'static str {
        match tr.language {
            Language::En => ", ",
            Language::ZhCn => "、",
        }
    }

    pub fn role(tr: Tr, role: &str) -> Option<String> {
        Some(match role {
            "admin" => tr.t("staff-role-admin"),
            "investigator" => tr.t("staff-role-investigator"),
            "participant" => tr.t("staff-role-participant"),
            "guardian" => tr.t("staff-role-guardian"),
            "system" => tr.t("staff-role-system"),
            "anonymous" => tr.t("staff-role-anonymous"),
            _ => return None,
        })
    }

    /// "Li Na (guardian)", or a bare role ("system").
    pub fn person(tr: Tr, person: &Person) -> Rich {
        let role = role(tr, &person.role).unwrap_or_else(|| person.role.clone());
        match &person.name {
            Some(name) => Rich::new(
                tr.t_with(
                    "staff-person",
                    &[("name", slot(0).into()), ("role", role.into())],
                ),
                vec![Part::Data(name.clone())],
            ),
            None => Rich::text(role),
        }
    }

    pub fn rule(tr: Tr, rule: &str) -> String {
        match Rule::parse(rule) {
            Some(Rule::SevereHypoglycemia) => tr.t("staff-rule-severe-hypoglycemia"),
            Some(Rule::PotentiallySeriousEvent) => tr.t("staff-rule-potentially-serious-event"),
            Some(Rule::Level2Glucose) => tr.t("staff-rule-level2-glucose"),
            Some(Rule::RepeatedLevel2) => tr.t("staff-rule-repeated-level2"),
            Some(Rule::MissedDiary) => tr.t("staff-rule-missed-diary"),
            None => tr.t("staff-rule-other"),
        }
    }

    pub fn severity(tr: Tr, severity: &str) -> String {
        match severity {
            "critical" => tr.t("staff-severity-critical"),
            "high" => tr.t("staff-severity-high"),
            "info" => tr.t("staff-severity-info"),
            other => other.to_owned(),
        }
    }

    pub fn alert_status(tr: Tr, status: &str) -> String {
        match status {
            "open" => tr.t("staff-status-open"),
            "acknowledged" => tr.t("staff-status-acknowledged"),
            "resolved" => tr.t("staff-status-resolved"),
            other => other.to_owned(),
        }
    }

    pub fn op(tr: Tr, op: &str) -> String {
        match op {
            "create" => tr.t("review-op-create"),
            "amend" => tr.t("review-op-amend"),
            "void" => tr.t("review-op-void"),
            other => other.to_owned(),
        }
    }

    /// A time on the site's clock (the page says which zone once).
    pub fn site_time(tr: Tr, at: DateTime<FixedOffset>) -> String {
        format::date_time(tr.language, at.naive_local())
    }

    /// A time on a device's clock, with the offset it was given in.
    pub fn device_time(tr: Tr, at: DateTime<FixedOffset>) -> String {
        tr.t_with(
            "review-at-offset",
            &[
                (
                    "at",
                    format::date_time(tr.language, at.naive_local()).into(),
                ),
                ("offset", at.offset().to_string().into()),
            ],
        )
    }

    /// A lab's `taken_at`: a day, or a time with its offset (shown on its
    /// own clock, as it was entered).
    pub fn taken_at(tr: Tr, text: &str) -> String {
        if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return format::date(tr.language, day);
        }
        DateTime::parse_from_rfc3339(text).map_or_else(
            |_| text.to_owned(),
            |at| format::date_time(tr.language, at.naive_local()),
        )
    }

    /// A 2005 class by its code (as the outcome figures count them).
    fn class_name(tr: Tr, class: &str) -> String {
        match class {
            "severe" => tr.t("staff-class-severe"),
            "documented_symptomatic" => tr.t("staff-class-documented-symptomatic"),
            "asymptomatic" => tr.t("staff-class-asymptomatic"),
            "probable_symptomatic" => tr.t("staff-class-probable-symptomatic"),
            "relative" => tr.t("staff-class-relative"),
            _ => class.replace('_', " "),
        }
    }

    fn class_of(tr: Tr, class: Ada2005Class) -> String {
        match class {
            Ada2005Class::Severe => tr.t("staff-class-severe"),
            Ada2005Class::DocumentedSymptomatic => tr.t("staff-class-documented-symptomatic"),
            Ada2005Class::Asymptomatic => tr.t("staff-class-asymptomatic"),
            Ada2005Class::ProbableSymptomatic => tr.t("staff-class-probable-symptomatic"),
            Ada2005Class::Relative => tr.t("staff-class-relative"),
        }
    }

    /// Counts by ADA level ("1", "2", "3"): "level 1: 2 · level 2: 0".
    pub fn level_counts(tr: Tr, counts: &BTreeMap<String, usize>) -> String {
        if counts.is_empty() {
            return tr.t("common-dash");
        }
        counts
            .iter()
            .map(|(level, n)| {
                tr.t_with(
                    "staff-level-count",
                    &[("level", level.into()), ("n", (*n).into())],
                )
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// Counts by ADA 2005 class.
    pub fn class_counts(tr: Tr, counts: &BTreeMap<String, usize>) -> String {
        if counts.is_empty() {
            return tr.t("common-dash");
        }
        counts
            .iter()
            .map(|(class, n)| {
                tr.t_with(
                    "staff-class-count",
                    &[("class", class_name(tr, class).into()), ("n", (*n).into())],
                )
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// "ADA level 2 · ADA 2005 class: documented symptomatic · potentially
    /// serious".
    pub fn classification(tr: Tr, c: &Classification) -> String {
        let mut out = vec![tr.t_with("staff-level", &[("level", u32::from(c.ada_level).into())])];
        if let Some(class) = c.ada2005_class {
            out.push(tr.t_with(
                "review-ada2005-class",
                &[("class", class_of(tr, class).into())],
            ));
        }
        if c.potentially_serious {
            out.push(tr.t("review-potentially-serious"));
        }
        out.join(" · ")
    }

    fn glucose_value(value: GlucoseValue, unit: GlucoseUnit) -> String {
        match value {
            GlucoseValue::Number(n) => format!("{} {}", format::number(n, 2), unit_name(unit)),
            GlucoseValue::Flag(MeterFlag::Lo) => "LO".into(),
            GlucoseValue::Flag(MeterFlag::Hi) => "HI".into(),
        }
    }

    fn unit_name(unit: GlucoseUnit) -> &'static str {
        match unit {
            GlucoseUnit::MgDl => "mg/dL",
            GlucoseUnit::MmolL => "mmol/L",
        }
    }

    fn context(tr: Tr, context: GlucoseContext) -> String {
        match context {
            GlucoseContext::Fasting => tr.t("review-context-fasting"),
            GlucoseContext::BeforeMeal => tr.t("review-context-before-meal"),
            GlucoseContext::AfterMeal => tr.t("review-context-after-meal"),
            GlucoseContext::Bedtime => tr.t("review-context-bedtime"),
            GlucoseContext::Overnight => tr.t("review-context-overnight"),
            GlucoseContext::Other => tr.t("review-context-other"),
        }
    }

    fn source(tr: Tr, source: GlucoseSource) -> String {
        match source {
            GlucoseSource::Meter => tr.t("review-source-meter"),
            GlucoseSource::Cgm => tr.t("review-source-cgm"),
        }
    }

    fn insulin_type(tr: Tr, kind: InsulinType) -> String {
        match kind {
            InsulinType::Rapid => tr.t("review-insulin-rapid"),
            InsulinType::Short => tr.t("review-insulin-short"),
            InsulinType::Intermediate => tr.t("review-insulin-intermediate"),
            InsulinType::Long => tr.t("review-insulin-long"),
            InsulinType::Premixed => tr.t("review-insulin-premixed"),
        }
    }

    fn purpose(tr: Tr, purpose: InsulinPurpose) -> String {
        match purpose {
            InsulinPurpose::Meal => tr.t("review-purpose-meal"),
            InsulinPurpose::Correction => tr.t("review-purpose-correction"),
            InsulinPurpose::Basal => tr.t("review-purpose-basal"),
        }
    }

    /// A symptom as the phone stores it; one typed in words stays as typed.
    fn symptom(tr: Tr, code: &str) -> String {
        match code {
            "shaky" => tr.t("review-symptom-shaky"),
            "sweating" => tr.t("review-symptom-sweating"),
            "hungry" => tr.t("review-symptom-hungry"),
            "dizzy" => tr.t("review-symptom-dizzy"),
            "confused" => tr.t("review-symptom-confused"),
            "headache" => tr.t("review-symptom-headache"),
            "blurred_vision" => tr.t("review-symptom-blurred-vision"),
            "mood_change" => tr.t("review-symptom-mood-change"),
            other => other.to_owned(),
        }
    }

    fn treatment(tr: Tr, treatment: Treatment) -> String {
        match treatment {
            Treatment::OralCarbohydrate => tr.t("review-treatment-oral-carbohydrate"),
            Treatment::Glucagon => tr.t("review-treatment-glucagon"),
            Treatment::IvGlucose => tr.t("review-treatment-iv-glucose"),
            Treatment::EmergencyServices => tr.t("review-treatment-emergency-services"),
            Treatment::EmergencyDepartment => tr.t("review-treatment-emergency-department"),
            Treatment::HospitalAdmission => tr.t("review-treatment-hospital-admission"),
            Treatment::Other => tr.t("review-treatment-other"),
        }
    }

    /// An entry's content in a line, in the page's language.
    pub fn entry(tr: Tr, data: &EntryData) -> String {
        match data {
            EntryData::Glucose(g) => tr.t_with(
                "review-entry-glucose",
                &[
                    ("value", glucose_value(g.value, g.unit).into()),
                    ("context", context(tr, g.context).into()),
                    ("source", source(tr, g.source).into()),
                ],
            ),
            EntryData::Insulin(d) => tr.t_with(
                "review-entry-insulin",
                &[
                    ("units", format::number(d.units, 2).into()),
                    ("type", insulin_type(tr, d.insulin_type).into()),
                    ("purpose", purpose(tr, d.purpose).into()),
                ],
            ),
            EntryData::Hypo(h) => {
                let glucose = match (h.glucose_value, h.glucose_unit) {
                    (Some(v), Some(u)) => glucose_value(GlucoseValue::Number(v), u),
                    _ => tr.t("review-hypo-not-measured"),
                };
                let symptoms = if h.symptoms.is_empty() {
                    tr.t("common-none")
                } else {
                    h.symptoms
                        .iter()
                        .map(|s| symptom(tr, s))
                        .collect::<Vec<_>>()
                        .join(separator(tr))
                };
                let mut help = vec![if h.needed_assistance {
                    tr.t("review-hypo-needed-help")
                } else {
                    tr.t("review-hypo-no-help")
                }];
                if h.lost_consciousness {
                    help.push(tr.t("review-hypo-lost-consciousness"));
                }
                if h.seizure {
                    help.push(tr.t("review-hypo-seizure"));
                }
                let treatments = if h.treatments.is_empty() {
                    tr.t("review-hypo-no-treatment")
                } else {
                    h.treatments
                        .iter()
                        .map(|t| treatment(tr, *t))
                        .collect::<Vec<_>>()
                        .join(separator(tr))
                };
                tr.t_with(
                    "review-entry-hypo",
                    &[
                        ("glucose", glucose.into()),
                        ("symptoms", symptoms.into()),
                        ("help", help.join(separator(tr)).into()),
                        ("treatments", treatments.into()),
                    ],
                )
            }
        }
    }

    /// A lab's result: "Weight: 48.5 kg", "GAD65 antibodies: 12 U/mL" (the
    /// value and unit as entered).
    pub fn lab_result(tr: Tr, lab: &LabLine) -> Rich {
        let measure = Part::Data(format!("{} {}", format::number(lab.value, 6), lab.unit));
        match &lab.name {
            Some(name) => Rich::new(
                tr.t_with(
                    "review-lab-result-named",
                    &[("name", slot(0).into()), ("measure", slot(1).into())],
                ),
                vec![Part::Data(name.clone()), measure],
            ),
            None => Rich::new(
                tr.t_with(
                    "review-lab-result-line",
                    &[
                        ("kind", super::kind_name(tr, lab.kind).into()),
                        ("measure", slot(0).into()),
                    ],
                ),
                vec![measure],
            ),
        }
    }

    /// An earlier version of a lab: "v1: 48.5 kg on 14 Nov 2026 by Li Na
    /// (investigator) · reason: scale not zeroed".
    pub fn earlier_lab(tr: Tr, lab: &EarlierLab) -> Rich {
        let measure = format!("{} {}", format::number(lab.value, 6), lab.unit);
        let mut args = vec![
            ("version", lab.version.into()),
            ("measure", slot(0).into()),
            ("taken", taken_at(tr, &lab.taken_at).into()),
            ("who", slot(1).into()),
        ];
        let mut parts = vec![Part::Data(measure), Part::Rich(person(tr, &lab.entered_by))];
        match &lab.reason {
            Some(reason) => {
                args.push(("reason", slot(2).into()));
                parts.push(Part::Data(reason.clone()));
                Rich::new(tr.t_with("review-lab-earlier-reason", &args), parts)
            }
            None => Rich::new(tr.t_with("review-lab-earlier", &args), parts),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn both(check: impl Fn(Tr)) {
            for language in Language::ALL {
                check(Tr::pages(language));
            }
        }

        fn data(kind: crate::domain::entry::Kind, data: serde_json::Value) -> EntryData {
            EntryData::parse(kind, &data).expect("a valid entry")
        }

        #[test]
        fn records_in_both_languages() {
            use crate::domain::entry::Kind;
            let en = Tr::pages(Language::En);
            let zh = Tr::pages(Language::ZhCn);
            let at = "2026-11-14T07:30:00+08:00";
            let entries = [
                data(
                    Kind::Glucose,
                    serde_json::json!({"measured_at": at, "value": 3.1, "unit": "mmol/L",
                        "context": "before_meal", "source": "meter"}),
                ),
                data(
                    Kind::Glucose,
                    serde_json::json!({"measured_at": at, "value": "LO", "unit": "mg/dL",
                        "context": "other", "source": "cgm"}),
                ),
                data(
                    Kind::Insulin,
                    serde_json::json!({"administered_at": at, "units": 4.5,
                        "insulin_type": "rapid", "purpose": "meal"}),
                ),
                data(
                    Kind::Hypo,
                    serde_json::json!({"occurred_at": at, "glucose_value": 3.1, "glucose_unit": "mmol/L",
                        "symptoms": ["shaky", "blurred_vision"], "needed_assistance": true,
                        "lost_consciousness": true, "seizure": false,
                        "treatments": ["glucagon", "emergency_department"]}),
                ),
                data(
                    Kind::Hypo,
                    serde_json::json!({"occurred_at": at, "symptoms": [], "needed_assistance": false,
                        "lost_consciousness": false, "seizure": false, "treatments": []}),
                ),
            ];
            for e in &entries {
                let zh_line = entry(zh, e);
                assert!(
                    !zh_line.contains("Glucose") && !zh_line.contains("Insulin"),
                    "{zh_line}"
                );
                assert_ne!(zh_line, entry(en, e));
            }
            assert_eq!(
                entry(en, &entries[0]),
                "Glucose 3.1 mmol/L, before a meal, meter"
            );
            assert_eq!(entry(zh, &entries[2]), "胰岛素 4.5 U，速效，餐时");
            assert!(entry(en, &entries[1]).contains("LO"));

            let li_na = |role: &str| Person {
                name: Some("Li Na".into()),
                role: role.into(),
            };
            assert_eq!(person(zh, &li_na("guardian")).plain(), "Li Na（监护人）");
            assert_eq!(person(en, &li_na("guardian")).plain(), "Li Na (guardian)");
            let system = Person {
                name: None,
                role: "system".into(),
            };
            assert_eq!(person(zh, &system).plain(), "系统");

            let c = Classification {
                ada_level: 3,
                ada2005_class: Some(Ada2005Class::Severe),
                potentially_serious: true,
            };
            assert_eq!(
                classification(en, &c),
                "ADA level 3 · ADA 2005 class: severe · potentially serious"
            );
            assert_eq!(
                classification(zh, &c),
                "3 级 · 2005 年分类：严重 · 可能为严重事件"
            );

            let mut earlier = EarlierLab {
                version: 1,
                value: 48.5,
                unit: "kg".into(),
                taken_at: "2026-11-14".into(),
                entered_by: li_na("investigator"),
                reason: Some("typo".into()),
            };
            assert_eq!(
                earlier_lab(en, &earlier).plain(),
                "v1: 48.5 kg on 14 Nov 2026 by Li Na (investigator) · reason: typo"
            );
            earlier.version = 2;
            earlier.value = 49.0;
            earlier.reason = None;
            assert_eq!(
                earlier_lab(zh, &earlier).plain(),
                "第 2 版：49 kg，2026年11月14日，录入人 Li Na（研究者）"
            );

            let at = DateTime::parse_from_rfc3339(at).unwrap();
            assert_eq!(site_time(en, at), "14 Nov 2026 07:30");
            assert_eq!(site_time(zh, at), "2026年11月14日 07:30");
            assert_eq!(device_time(en, at), "14 Nov 2026 07:30 (UTC+08:00)");
            both(|tr| {
                assert!(taken_at(tr, "2026-11-14T08:30:00+08:00").contains("08:30"));
            });
        }
    }
}
