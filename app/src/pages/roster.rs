use leptos::prelude::*;

use crate::{
    domain::roster::{self, AgeGroup, Completeness, Filter, RosterRow, SortKey},
    review::roster,
    study::StudyBanner,
};

/// For investigators: every participant of their sites on one sortable,
/// filterable table; whoever has not logged for three days stands out.
#[component]
pub fn Roster() -> impl IntoView {
    let rows = Resource::new(|| (), |_| roster());
    view! {
        <StudyBanner />
        <section class="card wide">
            <h1>"Participants"</h1>
            <p class="lead">
                "Diary completeness counts days with at least one entry since enrolment. "
                "IDAA1C uses the insulin of the days up to the HbA1c draw (7 unless the study settings say otherwise); 9 or less is partial remission."
            </p>
            <p><a class="button" href="/participants/new">"Add a participant"</a>" "<a class="button" href="/study/outcomes">"Outcome figures by visit"</a>" "<a class="button" href="/inbox">"Alerts"</a></p>
            <Transition fallback=|| view! { <p class="notice">"Loading participants…"</p> }>
                {move || Suspend::new(async move {
                    match rows.await {
                        Ok(list) if list.is_empty() => view! { <p class="notice">"No participants at your sites yet."</p> }.into_any(),
                        Ok(list) => view! { <RosterTable rows=list /> }.into_any(),
                        Err(e) => view! { <p class="notice error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn heading(key: SortKey) -> &'static str {
    match key {
        SortKey::StudyId => "Study id",
        SortKey::AgeGroup => "Age group",
        SortKey::Enrolled => "Enrolled",
        SortKey::LastEntry => "Last entry",
        SortKey::Completeness7 => "Diary 7 d",
        SortKey::Completeness14 => "Diary 14 d",
        SortKey::OpenAlerts => "Open alerts",
        SortKey::Hba1c => "HbA1c",
        SortKey::Idaa1c => "IDAA1C",
    }
}

fn percent(c: &Completeness) -> String {
    match c.ratio {
        Some(r) => format!("{:.0} % ({}/{})", r * 100.0, c.days_with_entries, c.days),
        None => "–".into(),
    }
}

#[component]
fn RosterTable(rows: Vec<RosterRow>) -> impl IntoView {
    let sort = RwSignal::new((SortKey::StudyId, false));
    let text = RwSignal::new(String::new());
    let group = RwSignal::new(String::new());
    let attention = RwSignal::new(false);
    let remission = RwSignal::new(false);
    let total = rows.len();
    let shown = Memo::new(move |_| {
        let filter = Filter {
            text: text.get(),
            age_group: match group.get().as_str() {
                "child" => Some(AgeGroup::Child),
                "adolescent" => Some(AgeGroup::Adolescent),
                "adult" => Some(AgeGroup::Adult),
                _ => None,
            },
            needs_attention: attention.get(),
            in_remission: remission.get(),
        };
        let mut kept: Vec<RosterRow> = rows
            .iter()
            .filter(|r| roster::keep(r, &filter))
            .cloned()
            .collect();
        let (key, descending) = sort.get();
        roster::sort_rows(&mut kept, key, descending);
        kept
    });
    let header = move |key: SortKey| {
        let state = move || match sort.get() {
            (k, false) if k == key => "ascending",
            (k, true) if k == key => "descending",
            _ => "none",
        };
        view! {
            <th scope="col" aria-sort=state>
                <button type="button" class="sort" on:click=move |_| sort.update(|(k, d)| {
                    if *k == key { *d = !*d } else { *k = key; *d = false }
                })>
                    {heading(key)}
                    <span aria-hidden="true">{move || match state() { "ascending" => " ▲", "descending" => " ▼", _ => "" }}</span>
                </button>
            </th>
        }
    };
    view! {
        <div class="filters">
            <label for="roster-search">"Find"</label>
            <input id="roster-search" type="search" placeholder="Study id or site" bind:value=text />
            <label for="roster-age">"Age group"</label>
            <select id="roster-age" bind:value=group>
                <option value="">"All"</option>
                <option value="child">"Child (under 12)"</option>
                <option value="adolescent">"Adolescent (12–17)"</option>
                <option value="adult">"Adult (18+)"</option>
            </select>
            <label class="check"><input type="checkbox" bind:checked=attention />" Needs attention"</label>
            <label class="check"><input type="checkbox" bind:checked=remission />" Partial remission"</label>
        </div>
        <p class="meta" role="status">{move || format!("{} of {total} participants", shown.get().len())}</p>
        <div class="table-scroll">
            <table class="roster">
                <thead>
                    <tr>
                        {header(SortKey::StudyId)}
                        <th scope="col">"Site"</th>
                        {SortKey::ALL[1..].iter().map(|k| header(*k)).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    <For each=move || shown.get() key=|r| r.participant_id let:row>
                        <RosterLine row />
                    </For>
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn RosterLine(row: RosterRow) -> impl IntoView {
    let last = match (row.last_entry_on, row.days_since_last_entry) {
        (Some(day), Some(0)) => format!("today ({day})"),
        (Some(day), Some(1)) => format!("1 day ago ({day})"),
        (Some(day), Some(n)) => format!("{n} days ago ({day})"),
        _ => "never".into(),
    };
    let hba1c = row
        .hba1c
        .as_ref()
        .map(|h| format!("{:.1} % ({})", h.value_percent, h.taken_on))
        .unwrap_or_else(|| "–".into());
    let idaa1c = row
        .idaa1c
        .as_ref()
        .map(|i| {
            format!(
                "{:.1}{}",
                i.value,
                if i.partial_remission {
                    " · remission"
                } else {
                    ""
                }
            )
        })
        .unwrap_or_else(|| "–".into());
    view! {
        <tr class:silent=row.stands_out>
            <th scope="row"><a href=format!("/participants/{}", row.participant_id)>{row.study_id.clone()}</a></th>
            <td>{row.site_code.clone()}</td>
            <td>{row.age_group.label()}</td>
            <td>{format!("{} ({} d)", row.enrolled_on, row.days_since_enrolment)}</td>
            <td>
                {last}
                {row.stands_out.then(|| view! { <span class="flag">" No entry for 3 days"</span> })}
            </td>
            <td>{percent(&row.completeness_7d)}</td>
            <td>{percent(&row.completeness_14d)}</td>
            <td class:alerting={row.open_alerts > 0}>{row.open_alerts}</td>
            <td>{hba1c}</td>
            <td>{idaa1c}</td>
        </tr>
    }
}
