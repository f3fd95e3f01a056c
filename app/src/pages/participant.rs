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
    pages::roster::age_group_name,
    pages::words::{self, Part, Rich},
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

pub(crate) fn kind_name(tr: Tr, kind: LabKind) -> String {
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
