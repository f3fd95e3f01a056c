use leptos::{ev::SubmitEvent, prelude::*};
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::{
    domain::{
        glucose::MG_DL_PER_MMOL_L,
        labs::LabKind,
        outcomes::{Basis, Figures},
        visits::{UNSCHEDULED, Visit},
    },
    review::{self, GlucosePoint, LabLine, ParticipantPage, TimelineEntry, participant_review},
    study::StudyBanner,
};

/// For investigators: one participant over a chosen window of site days:
/// the outcome figures with what each rests on, glucose and insulin charts,
/// visit labs (entered and corrected here), every entry with its versions,
/// the participant's alerts and audit trail.
#[component]
pub fn Participant() -> impl IntoView {
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
        <section class="card wide">
            <p><a href="/participants">"← All participants"</a></p>
            <form class="window" on:submit=show>
                <h2 class="visually-hidden">"Window"</h2>
                <label for="window-from">"From (site day)"</label>
                <input id="window-from" type="date" bind:value=from />
                <label for="window-to">"To"</label>
                <input id="window-to" type="date" bind:value=to />
                <button type="submit" class="button">"Show"</button>
            </form>
            <Transition fallback=|| view! { <p class="notice">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match review.await {
                        Ok(r) => {
                            if from.get_untracked().is_empty() {
                                from.set(r.figures.window.from.to_string());
                                to.set(r.figures.window.to.to_string());
                            }
                            view! { <Review review=r changes /> }.into_any()
                        }
                        Err(e) => view! { <p class="notice error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Review(review: ParticipantPage, changes: RwSignal<u32>) -> impl IntoView {
    let title = format!("{} · {}", review.study_id, review.site_code);
    let about = format!(
        "{} · enrolled {} · diagnosed {}",
        review.age_group.label(),
        review.enrolled_on,
        review.diagnosis_date
    );
    let window = format!(
        "{} to {} ({} days)",
        review.figures.window.from, review.figures.window.to, review.figures.window.days
    );
    let days = review.figures.window.days;
    view! {
        <h1>{title}</h1>
        <p class="lead">{about}</p>
        <h2>{format!("Outcome figures, {window}")}</h2>
        <FigureCards figures=review.figures.clone() basis=review.basis.clone() />
        <h2>"Glucose"</h2>
        <GlucoseChart points=review.glucose.clone() from=review.figures.window.from days />
        <h2>"Daily insulin"</h2>
        <InsulinChart totals=review.daily_insulin.clone() from=review.figures.window.from days />
        <h2>"Visit labs"</h2>
        <Labs participant=review.participant_id labs=review.labs.clone() visits=review.visits.clone() changes />
        <h2>"Entries in the window"</h2>
        <Timeline entries=review.timeline.clone() />
        <h2>"Alerts"</h2>
        {if review.alerts.is_empty() {
            view! { <p class="notice">"No alerts."</p> }.into_any()
        } else {
            view! {
                <ul class="plain">
                    {review.alerts.iter().map(|a| view! {
                        <li class=format!("alert {}", a.severity)>
                            {format!("{} · {} · {} · {}", a.created_at, a.rule.replace('_', " "), a.severity, a.status)}
                            {a.note.clone().map(|n| format!(" · {n}"))}
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        <h2>"Audit trail"</h2>
        <div class="table-scroll">
            <table class="audit">
                <thead><tr><th scope="col">"When (UTC)"</th><th scope="col">"Who"</th><th scope="col">"What"</th><th scope="col">"Record"</th></tr></thead>
                <tbody>
                    {review.audit.iter().map(|a| view! {
                        <tr><td>{a.at.clone()}</td><td>{a.actor.clone()}</td><td>{a.action.clone()}</td><td>{a.entity.clone()}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn mg(value: f64) -> String {
    format!("{value:.0} mg/dL ({:.1} mmol/L)", value / MG_DL_PER_MMOL_L)
}

fn or_dash<T>(value: Option<T>, show: impl Fn(T) -> String) -> String {
    value.map(show).unwrap_or_else(|| "–".into())
}

#[component]
fn FigureCards(figures: Figures, basis: Basis) -> impl IntoView {
    let g = &figures.glucose;
    let ranges = g.ranges.as_ref().map(|r| {
        format!(
            "< 54: {:.0} % · 54–69: {:.0} % · 70–180: {:.0} % · 181–250: {:.0} % · > 250: {:.0} %",
            r.below_54 * 100.0,
            r.from_54_to_69 * 100.0,
            r.from_70_to_180 * 100.0,
            r.from_181_to_250 * 100.0,
            r.above_250 * 100.0
        )
    });
    let h = &figures.hypoglycemia;
    let levels = |m: &std::collections::BTreeMap<String, usize>| {
        m.iter()
            .map(|(k, v)| format!("{}: {v}", k.replace('_', " ")))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    view! {
        <div class="outcome-cards">
            <div class="outcome">
                <h3>"Glucose readings"</h3>
                <p>{format!("{} readings · mean {} · SD {} · CV {}", g.count,
                    or_dash(g.mean_mg_dl, mg), or_dash(g.sd_mg_dl, mg),
                    or_dash(g.cv, |cv| format!("{:.1} %", cv * 100.0)))}</p>
                <p>{ranges.unwrap_or_else(|| "No readings in range yet.".into())}</p>
                <p class="basis">{basis.glucose}</p>
            </div>
            <div class="outcome">
                <h3>"Insulin"</h3>
                <p>{format!("mean {} a day · {}",
                    or_dash(figures.insulin.mean_daily_units, |u| format!("{u:.1} U")),
                    or_dash(figures.insulin.mean_units_per_kg, |u| format!("{u:.2} U/kg/day")))}</p>
                <p class="basis">{basis.insulin}</p>
            </div>
            <div class="outcome">
                <h3>"Hypoglycemia"</h3>
                <p>{format!("Readings by ADA level: {}", levels(&h.readings_by_level))}</p>
                <p>{format!("Events by ADA level: {}", levels(&h.events_by_level))}</p>
                <p>{format!("Events by 2005 class: {}", levels(&h.events_by_ada2005_class))}</p>
                <p>{format!("Severe events: {}", h.severe_events)}</p>
                <p class="basis">{basis.hypoglycemia}</p>
            </div>
            <div class="outcome">
                <h3>"HbA1c and IDAA1C"</h3>
                <p>{format!("HbA1c {} · IDAA1C {}",
                    or_dash(figures.hba1c.as_ref(), |h| format!("{:.1} % ({})", h.value_percent, h.taken_at)),
                    or_dash(figures.idaa1c.as_ref(), |i| format!("{:.2}{}", i.value,
                        if i.partial_remission { " (partial remission)" } else { "" })))}</p>
                <p class="basis">{basis.idaa1c}</p>
            </div>
            <div class="outcome">
                <h3>"Diary completeness"</h3>
                <p>{format!("{:.0} %", figures.completeness.ratio * 100.0)}</p>
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
    let hours = (days.max(1) * 24) as f64;
    let x = move |h: f64| h / hours * CHART_W;
    let label = format!(
        "{} glucose readings; the band is 70 to 180 mg/dL (3.9 to 10.0 mmol/L)",
        points.len()
    );
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
                    <title>{match &p.flag { Some(f) => f.clone(), None => mg(p.mg_dl) }}</title>
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
    let top = totals.iter().map(|(_, u)| *u).fold(10.0_f64, f64::max);
    let slot = CHART_W / days.max(1) as f64;
    let label = format!("Insulin totals on {} days with doses logged", totals.len());
    view! {
        <svg class="chart" viewBox=format!("0 0 {CHART_W} {CHART_H}") role="img" aria-label=label>
            <text x="4" y="14">{format!("{top:.0} U")}</text>
            {totals.iter().map(|(day, units)| {
                let i = (*day - from).num_days() as f64;
                let height = units / top * (CHART_H - 20.0);
                view! {
                    <rect class="bar" x=i * slot + 1.0 y=CHART_H - height width=(slot - 2.0).max(1.0) height=height>
                        <title>{format!("{day}: {units:.1} U")}</title>
                    </rect>
                }
            }).collect_view()}
        </svg>
    }
}

#[component]
fn Timeline(entries: Vec<TimelineEntry>) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="notice">"No entries in the window."</p> }.into_any();
    }
    view! {
        <ol class="timeline">
            {entries.into_iter().map(|e| {
                let current = e.versions.last().map(|v| v.what.clone()).unwrap_or_default();
                let versions = e.versions.len();
                view! {
                    <li class:voided=e.voided>
                        <p class="what">
                            <span class="when">{e.event_at.clone()}</span>" "
                            {if e.voided { view! { <s>{current}</s>" (removed)" }.into_any() } else { view! { <span>{current}</span> }.into_any() }}
                        </p>
                        {e.classification.clone().map(|c| view! { <p class="meta">{c}</p> })}
                        <details open={versions > 1}>
                            <summary>{format!("{versions} version{}", if versions == 1 { "" } else { "s" })}</summary>
                            <ol class="versions">
                                {e.versions.iter().map(|v| view! {
                                    <li>
                                        {format!("v{} {} · {} · by {} on {} · saved {} · received {}{}",
                                            v.version, v.op, v.what, v.entered_by, v.device_id,
                                            v.recorded_at, v.received_at, if v.late { " · late" } else { "" })}
                                        {v.reason.clone().map(|r| view! { <span class="reason">{format!(" · reason: {r}")}</span> })}
                                    </li>
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

fn kind_name(kind: LabKind) -> &'static str {
    match kind {
        LabKind::Weight => "Weight",
        LabKind::Hba1c => "HbA1c",
        LabKind::CPeptideFasting => "C-peptide, fasting",
        LabKind::CPeptideStimulated => "C-peptide, stimulated",
        LabKind::Other => "Other (immunology panel…)",
    }
}

const KINDS: [LabKind; 5] = [
    LabKind::Weight,
    LabKind::Hba1c,
    LabKind::CPeptideFasting,
    LabKind::CPeptideStimulated,
    LabKind::Other,
];

#[component]
fn Labs(
    participant: Uuid,
    labs: Vec<LabLine>,
    visits: Vec<Visit>,
    changes: RwSignal<u32>,
) -> impl IntoView {
    // The lab being corrected, if any: the form fills with it.
    let editing = RwSignal::new(None::<LabLine>);
    let removing = RwSignal::new(None::<LabLine>);
    view! {
        <div class="table-scroll">
            <table class="labs">
                <thead><tr>
                    <th scope="col">"Visit"</th><th scope="col">"Taken"</th><th scope="col">"Result"</th>
                    <th scope="col">"Entered by"</th><th scope="col">"Versions"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    {labs.into_iter().map(|lab| {
                        let result = format!("{}{}: {} {}", kind_name(lab.kind),
                            lab.name.as_ref().map(|n| format!(" ({n})")).unwrap_or_default(), lab.value, lab.unit);
                        let edit = lab.clone();
                        let remove = lab.clone();
                        view! {
                            <tr class:voided=lab.voided>
                                <td>{lab.visit.clone()}</td>
                                <td>{lab.taken_at.clone()}</td>
                                <td>{if lab.voided { view! { <s>{result}</s>" (removed)" }.into_any() } else { view! { <span>{result}</span> }.into_any() }}</td>
                                <td>{lab.entered_by.clone()}{lab.reason.clone().map(|r| format!(" · reason: {r}"))}</td>
                                <td>{format!("v{}", lab.version)}
                                    {lab.earlier.iter().map(|line| view! { <div class="meta">{line.clone()}</div> }).collect_view()}
                                </td>
                                <td>{(!lab.voided).then(|| view! {
                                    <button type="button" class="button small" on:click=move |_| { removing.set(None); editing.set(Some(edit.clone())) }>"Correct"</button>
                                    <button type="button" class="button small" on:click=move |_| { editing.set(None); removing.set(Some(remove.clone())) }>"Remove"</button>
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
    let reason = RwSignal::new(String::new());
    let act = ServerAction::<review::VoidLab>::new();
    let problem = RwSignal::new(None::<String>);
    Effect::new(move |_| match act.value().get() {
        Some(Ok(())) => {
            removing.set(None);
            changes.update(|c| *c += 1);
        }
        Some(Err(e)) => problem.set(Some(e.to_string())),
        None => {}
    });
    let (id, version) = (lab.lab_id, lab.version);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if reason.get().trim().is_empty() {
            problem.set(Some("Say why the lab is removed.".into()));
            return;
        }
        act.dispatch(review::VoidLab {
            lab_id: id,
            base_version: version,
            reason: reason.get(),
        });
    };
    view! {
        <form class="lab-form" on:submit=submit>
            <h3>{format!("Remove {} of {}", kind_name(lab.kind), lab.taken_at)}</h3>
            <label for="void-reason">"Reason"</label>
            <input id="void-reason" type="text" bind:value=reason />
            <button type="submit" class="button" disabled=move || act.pending().get()>"Remove the lab"</button>
            <button type="button" class="button" on:click=move |_| removing.set(None)>"Cancel"</button>
            <p class="notice error" role="alert">{move || problem.get()}</p>
        </form>
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
            .map(|l| l.value.to_string())
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
        Some(Err(e)) => problem.set(Some(e.to_string())),
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
            problem.set(Some("Say why the lab is corrected.".into()));
            return;
        }
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
        Some(l) => format!("Correct {} of {}", kind_name(l.kind), l.taken_at),
        None => "Add a lab result".into(),
    };
    view! {
        <form class="lab-form" on:submit=submit novalidate>
            <h3>{title}</h3>
            <label for="lab-visit">"Visit"</label>
            <select id="lab-visit" bind:value=visit>
                {visits.iter().map(|v| view! { <option value=v.code.clone()>{format!("{} (day {})", v.name, v.day)}</option> }).collect_view()}
                <option value=UNSCHEDULED>"Unscheduled"</option>
            </select>
            <label for="lab-taken">"Taken on"</label>
            <input id="lab-taken" type="date" bind:value=taken_at />
            <label for="lab-kind">"Result"</label>
            <select id="lab-kind" bind:value=kind on:change=on_kind>
                {KINDS.iter().map(|k| view! { <option value=k.as_str()>{kind_name(*k)}</option> }).collect_view()}
            </select>
            <Show when=move || kind_now() == LabKind::Other>
                <label for="lab-name">"Name of the result"</label>
                <input id="lab-name" type="text" placeholder="GAD65 antibodies" bind:value=name />
            </Show>
            <label for="lab-value">"Value"</label>
            <input id="lab-value" type="text" inputmode="decimal" bind:value=value />
            <label for="lab-unit">"Unit"</label>
            {move || {
                let units = kind_now().units();
                if units.is_empty() {
                    view! { <input id="lab-unit" type="text" placeholder="U/mL" bind:value=unit /> }.into_any()
                } else {
                    view! {
                        <select id="lab-unit" bind:value=unit>
                            {units.iter().map(|(u, _, _)| view! { <option value=*u>{*u}</option> }).collect_view()}
                        </select>
                    }.into_any()
                }
            }}
            {correcting.is_some().then(|| view! {
                <label for="lab-reason">"Reason for the correction"</label>
                <input id="lab-reason" type="text" bind:value=reason />
            })}
            <button type="submit" class="button primary" disabled=move || act.pending().get()>
                {if correcting.is_some() { "Save the correction" } else { "Save the lab" }}
            </button>
            {correcting.is_some().then(|| view! {
                <button type="button" class="button" on:click=move |_| editing.set(None)>"Cancel"</button>
            })}
            <p class="notice error" role="alert">{move || problem.get()}</p>
            <p class="notice ok" role="status">{move || saved.get().then_some("Saved.")}</p>
        </form>
    }
}
