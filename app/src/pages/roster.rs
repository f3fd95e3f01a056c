use leptos::prelude::*;

use crate::{
    domain::roster::{self, AgeGroup, Completeness, Filter, RosterRow, SILENT_DAYS, SortKey},
    i18n::{Tr, format, use_tr},
    review::roster,
    study::StudyBanner,
};

/// For investigators: every participant of their sites on one sortable,
/// filterable table; whoever has not logged for three days stands out.
#[component]
pub fn Roster() -> impl IntoView {
    let tr = use_tr();
    let rows = Resource::new(|| (), |_| roster());
    view! {
        <StudyBanner />
        <section class="card wide staff-page">
            <h1>{tr.t("roster-title")}</h1>
            <p class="lead">
                {tr.t("roster-lead-completeness")}" "{tr.t("roster-lead-idaa1c")}
            </p>
            <p class="page-actions">
                <a class="button" href="/participants/new">{tr.t("roster-add")}</a>
                <a class="button" href="/study/outcomes">{tr.t("roster-outcomes")}</a>
                <a class="button" href="/inbox">{tr.t("roster-alerts")}</a>
            </p>
            <Transition fallback=move || view! { <p class="notice">{tr.t("roster-loading")}</p> }>
                {move || Suspend::new(async move {
                    match rows.await {
                        Ok(list) if list.is_empty() => view! { <p class="notice">{tr.t("roster-empty")}</p> }.into_any(),
                        Ok(list) => view! { <RosterTable rows=list /> }.into_any(),
                        Err(e) => view! { <p class="notice error" role="alert">{e.message(tr)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn heading(tr: Tr, key: SortKey) -> String {
    match key {
        SortKey::StudyId => tr.t("roster-col-study-id"),
        SortKey::AgeGroup => tr.t("roster-col-age-group"),
        SortKey::Enrolled => tr.t("roster-col-enrolled"),
        SortKey::LastEntry => tr.t("roster-col-last-entry"),
        SortKey::Completeness7 => tr.t("roster-col-diary-7"),
        SortKey::Completeness14 => tr.t("roster-col-diary-14"),
        SortKey::OpenAlerts => tr.t("roster-col-open-alerts"),
        SortKey::Hba1c => tr.t("roster-col-hba1c"),
        SortKey::Idaa1c => tr.t("roster-col-idaa1c"),
    }
}

/// The age group in words, for the roster and the participant page.
pub fn age_group_name(tr: Tr, group: AgeGroup) -> String {
    match group {
        AgeGroup::Child => tr.t("staff-age-child"),
        AgeGroup::Adolescent => tr.t("staff-age-adolescent"),
        AgeGroup::Adult => tr.t("staff-age-adult"),
    }
}

fn completeness(tr: Tr, c: &Completeness) -> String {
    match c.ratio {
        Some(r) => tr.t_with(
            "roster-completeness",
            &[
                ("percent", format::percent(r).into()),
                ("done", c.days_with_entries.into()),
                ("days", c.days.into()),
            ],
        ),
        None => tr.t("common-dash"),
    }
}

#[component]
fn RosterTable(rows: Vec<RosterRow>) -> impl IntoView {
    let tr = use_tr();
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
                    {heading(tr, key)}
                    <span aria-hidden="true">{move || match state() { "ascending" => " ▲", "descending" => " ▼", _ => "" }}</span>
                </button>
            </th>
        }
    };
    view! {
        <div class="filters">
            <label for="roster-search">{tr.t("roster-find")}</label>
            <input id="roster-search" type="search" placeholder=tr.t("roster-find-placeholder") bind:value=text />
            <label for="roster-age">{tr.t("roster-col-age-group")}</label>
            <select id="roster-age" bind:value=group>
                <option value="">{tr.t("roster-age-all")}</option>
                <option value="child">{tr.t("roster-age-child")}</option>
                <option value="adolescent">{tr.t("roster-age-adolescent")}</option>
                <option value="adult">{tr.t("roster-age-adult")}</option>
            </select>
            <label class="check"><input type="checkbox" bind:checked=attention />" "{tr.t("roster-needs-attention")}</label>
            <label class="check"><input type="checkbox" bind:checked=remission />" "{tr.t("roster-remission")}</label>
        </div>
        <p class="meta" role="status">
            {move || tr.t_with("roster-shown", &[("shown", shown.get().len().into()), ("total", total.into())])}
        </p>
        <div class="table-scroll">
            <table class="roster">
                <thead>
                    <tr>
                        {header(SortKey::StudyId)}
                        <th scope="col">{tr.t("roster-col-site")}</th>
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
    let tr = use_tr();
    let language = tr.language;
    let last = match (row.last_entry_on, row.days_since_last_entry) {
        (Some(day), Some(0)) => tr.t_with(
            "roster-last-today",
            &[("date", format::date(language, day).into())],
        ),
        (Some(day), Some(n)) => tr.t_with(
            "roster-last-days-ago",
            &[
                ("n", n.into()),
                ("date", format::date(language, day).into()),
            ],
        ),
        _ => tr.t("common-never"),
    };
    let hba1c = row
        .hba1c
        .as_ref()
        .map(|h| {
            tr.t_with(
                "staff-hba1c-value",
                &[
                    ("value", format::fixed(h.value_percent, 1).into()),
                    ("date", format::date(language, h.taken_on).into()),
                ],
            )
        })
        .unwrap_or_else(|| tr.t("common-dash"));
    let idaa1c = row
        .idaa1c
        .as_ref()
        .map(|i| {
            let value = format::fixed(i.value, 1);
            if i.partial_remission {
                tr.t_with("roster-idaa1c-remission", &[("value", value.into())])
            } else {
                value
            }
        })
        .unwrap_or_else(|| tr.t("common-dash"));
    let enrolled = tr.t_with(
        "roster-enrolled",
        &[
            ("date", format::date(language, row.enrolled_on).into()),
            ("days", row.days_since_enrolment.into()),
        ],
    );
    view! {
        <tr class:silent=row.stands_out>
            <th scope="row"><a href=format!("/participants/{}", row.participant_id)>{row.study_id.clone()}</a></th>
            <td>{row.site_code.clone()}</td>
            <td>{age_group_name(tr, row.age_group)}</td>
            <td>{enrolled}</td>
            <td>
                {last}
                {row.stands_out.then(|| view! {
                    <span class="flag">" "{tr.t_with("roster-silent", &[("days", SILENT_DAYS.into())])}</span>
                })}
            </td>
            <td class="number">{completeness(tr, &row.completeness_7d)}</td>
            <td class="number">{completeness(tr, &row.completeness_14d)}</td>
            <td class="number" class:alerting={row.open_alerts > 0}>{row.open_alerts}</td>
            <td class="number">{hba1c}</td>
            <td class="number">{idaa1c}</td>
        </tr>
    }
}
