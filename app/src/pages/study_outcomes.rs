use leptos::prelude::*;

use crate::{
    domain::{
        glucose::MG_DL_PER_MMOL_L,
        study_outcomes::{Across, VisitOutcome},
    },
    review::study_outcomes,
    study::StudyBanner,
};

/// For investigators: the trial's outcome figures per visit window, each
/// participant over their own window, then n, mean and SD across them.
#[component]
pub fn StudyOutcomes() -> impl IntoView {
    let visits = Resource::new(|| (), |_| study_outcomes());
    view! {
        <StudyBanner />
        <section class="card wide">
            <p><a href="/participants">"← All participants"</a></p>
            <h1>"Outcome figures by visit"</h1>
            <p class="lead">
                "Each participant counts over their own window of the visit (the visit day after enrolment, "
                "with its window either side, up to today). Figures read mean ± SD (n participants with data); "
                "counts are added up. Glucose figures are from fingerstick readings: readings in range, not time in range."
            </p>
            <Transition fallback=|| view! { <p class="notice">"Working out the figures…"</p> }>
                {move || Suspend::new(async move {
                    match visits.await {
                        Ok(list) => view! { <OutcomeTable visits=list /> }.into_any(),
                        Err(e) => view! { <p class="notice error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn cell(a: &Across, show: impl Fn(f64) -> String) -> String {
    match (a.mean, a.sd) {
        (Some(m), Some(sd)) => format!("{} ± {} (n {})", show(m), show(sd), a.n),
        (Some(m), None) => format!("{} (n {})", show(m), a.n),
        _ => "– (n 0)".into(),
    }
}

fn counts(map: &std::collections::BTreeMap<String, usize>) -> String {
    if map.is_empty() {
        return "–".into();
    }
    map.iter()
        .map(|(k, v)| format!("{}: {v}", k.replace('_', " ")))
        .collect::<Vec<_>>()
        .join(" · ")
}

#[component]
fn OutcomeTable(visits: Vec<VisitOutcome>) -> impl IntoView {
    type Row = (&'static str, fn(&VisitOutcome) -> String);
    let rows: [Row; 14] = [
        ("Participants in the window", |v| v.participants.to_string()),
        ("Total daily insulin (U)", |v| {
            cell(&v.mean_daily_units, |x| format!("{x:.1}"))
        }),
        ("Insulin (U/kg/day)", |v| {
            cell(&v.mean_units_per_kg, |x| format!("{x:.2}"))
        }),
        ("HbA1c (%)", |v| {
            cell(&v.hba1c_percent, |x| format!("{x:.1}"))
        }),
        ("IDAA1C", |v| cell(&v.idaa1c, |x| format!("{x:.1}"))),
        ("Partial remission (IDAA1C ≤ 9)", |v| {
            format!("{} of {}", v.partial_remission, v.idaa1c.n)
        }),
        ("Mean glucose", |v| {
            cell(&v.mean_glucose_mg_dl, |x| {
                format!("{x:.0} mg/dL ({:.1} mmol/L)", x / MG_DL_PER_MMOL_L)
            })
        }),
        ("Glucose CV (%)", |v| {
            cell(&v.glucose_cv, |x| format!("{:.0}", x * 100.0))
        }),
        ("Readings 70–180 mg/dL (%)", |v| {
            cell(&v.readings_in_range, |x| format!("{:.0}", x * 100.0))
        }),
        ("Glucose readings", |v| v.readings.to_string()),
        ("Low events by ADA level", |v| counts(&v.events_by_level)),
        ("Low events by 2005 class", |v| {
            counts(&v.events_by_ada2005_class)
        }),
        ("Severe events", |v| v.severe_events.to_string()),
        ("Diary completeness (%)", |v| {
            cell(&v.completeness, |x| format!("{:.0}", x * 100.0))
        }),
    ];
    view! {
        <div class="table-scroll">
            <table class="study-outcomes">
                <thead>
                    <tr>
                        <th scope="col">"Figure"</th>
                        {visits.iter().map(|v| view! {
                            <th scope="col">{format!("{} (day {}, −{}/+{})", v.visit.name, v.visit.day, v.visit.before, v.visit.after)}</th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {rows.iter().map(|(name, show)| view! {
                        <tr>
                            <th scope="row">{*name}</th>
                            {visits.iter().map(|v| view! { <td>{show(v)}</td> }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
