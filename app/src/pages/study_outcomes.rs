use leptos::prelude::*;

use crate::{
    domain::{
        glucose::MG_DL_PER_MMOL_L,
        study_outcomes::{Across, VisitOutcome},
    },
    i18n::{Tr, format, use_tr},
    pages::words::{self, Part, Rich},
    review::study_outcomes,
    study::StudyBanner,
};

/// For investigators: the trial's outcome figures per visit window, each
/// participant over their own window, then n, mean and SD across them.
#[component]
pub fn StudyOutcomes() -> impl IntoView {
    let tr = use_tr();
    let visits = Resource::new(|| (), |_| study_outcomes());
    view! {
        <StudyBanner />
        <section class="card wide staff-page">
            <p><a href="/participants">{tr.t("staff-back-to-roster")}</a></p>
            <h1>{tr.t("outcomes-title")}</h1>
            <p class="lead">{tr.t("outcomes-lead")}</p>
            <Transition fallback=move || view! { <p class="notice">{tr.t("outcomes-loading")}</p> }>
                {move || Suspend::new(async move {
                    match visits.await {
                        Ok(list) => view! { <OutcomeTable visits=list /> }.into_any(),
                        Err(e) => view! { <p class="notice error" role="alert">{e.message(tr)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Mean ± SD (n) of a figure across participants.
fn cell(tr: Tr, a: &Across, show: impl Fn(f64) -> String) -> String {
    match (a.mean, a.sd) {
        (Some(m), Some(sd)) => tr.t_with(
            "outcomes-cell-mean-sd",
            &[
                ("mean", show(m).into()),
                ("sd", show(sd).into()),
                ("n", a.n.into()),
            ],
        ),
        (Some(m), None) => tr.t_with(
            "outcomes-cell-mean",
            &[("mean", show(m).into()), ("n", a.n.into())],
        ),
        _ => tr.t("outcomes-cell-none"),
    }
}

type Show = fn(Tr, &VisitOutcome) -> String;
type Name = fn(Tr) -> String;

/// The table's rows: the figure's name and how a visit shows it.
const ROWS: [(Name, Show); 14] = [
    (
        |tr| tr.t("outcomes-row-participants"),
        |_, v| v.participants.to_string(),
    ),
    (
        |tr| tr.t("outcomes-row-daily-insulin"),
        |tr, v| cell(tr, &v.mean_daily_units, |x| format::fixed(x, 1)),
    ),
    (
        |tr| tr.t("outcomes-row-units-per-kg"),
        |tr, v| cell(tr, &v.mean_units_per_kg, |x| format::fixed(x, 2)),
    ),
    (
        |tr| tr.t("outcomes-row-hba1c"),
        |tr, v| cell(tr, &v.hba1c_percent, |x| format::fixed(x, 1)),
    ),
    (
        |tr| tr.t("outcomes-row-idaa1c"),
        |tr, v| cell(tr, &v.idaa1c, |x| format::fixed(x, 1)),
    ),
    (
        |tr| tr.t("outcomes-row-remission"),
        |tr, v| {
            tr.t_with(
                "outcomes-remission-count",
                &[("n", v.partial_remission.into()), ("of", v.idaa1c.n.into())],
            )
        },
    ),
    (
        |tr| tr.t("outcomes-row-mean-glucose"),
        |tr, v| {
            cell(tr, &v.mean_glucose_mg_dl, |x| {
                tr.t_with(
                    "review-mg",
                    &[
                        ("mg", format::fixed(x, 0).into()),
                        ("mmol", format::fixed(x / MG_DL_PER_MMOL_L, 1).into()),
                    ],
                )
            })
        },
    ),
    (
        |tr| tr.t("outcomes-row-cv"),
        |tr, v| cell(tr, &v.glucose_cv, |x| format::fixed(x * 100.0, 0)),
    ),
    (
        |tr| tr.t("outcomes-row-in-range"),
        |tr, v| cell(tr, &v.readings_in_range, |x| format::fixed(x * 100.0, 0)),
    ),
    (
        |tr| tr.t("outcomes-row-readings"),
        |_, v| v.readings.to_string(),
    ),
    (
        |tr| tr.t("outcomes-row-events-level"),
        |tr, v| words::level_counts(tr, &v.events_by_level),
    ),
    (
        |tr| tr.t("outcomes-row-events-class"),
        |tr, v| words::class_counts(tr, &v.events_by_ada2005_class),
    ),
    (
        |tr| tr.t("outcomes-row-severe"),
        |_, v| v.severe_events.to_string(),
    ),
    (
        |tr| tr.t("outcomes-row-completeness"),
        |tr, v| cell(tr, &v.completeness, |x| format::fixed(x * 100.0, 0)),
    ),
];

#[component]
fn OutcomeTable(visits: Vec<VisitOutcome>) -> impl IntoView {
    let tr = use_tr();
    view! {
        <div class="table-scroll">
            <table class="study-outcomes">
                <thead>
                    <tr>
                        <th scope="col">{tr.t("outcomes-figure")}</th>
                        {visits.iter().map(|v| {
                            // The visit's name is the study's own (data).
                            let name = Rich::new(tr.t_with(
                                "outcomes-visit",
                                &[
                                    ("name", words::slot(0).into()),
                                    ("day", v.visit.day.into()),
                                    ("before", v.visit.before.into()),
                                    ("after", v.visit.after.into()),
                                ],
                            ), vec![Part::Data(v.visit.name.clone())]);
                            view! { <th scope="col">{name.into_view()}</th> }
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {ROWS.iter().map(|(name, show)| view! {
                        <tr>
                            <th scope="row">{name(tr)}</th>
                            {visits.iter().map(|v| view! { <td class="figure">{show(tr, v)}</td> }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
