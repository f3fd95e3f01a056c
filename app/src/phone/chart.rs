//! The 7- and 14-day glucose chart: an SVG drawn from `model::chart_points`,
//! with the target range shaded and labelled in the person's unit.

use leptos::prelude::*;

use super::{
    i18n,
    model::{CHART_MG_DL, ChartPoint, TARGET_MG_DL},
};
use crate::{
    domain::glucose::{GlucoseUnit, display},
    i18n::Tr,
};

const W: f64 = 320.0;
const H: f64 = 180.0;
const LEFT: f64 = 34.0;
const BOTTOM: f64 = 16.0;
const TOP: f64 = 6.0;

fn x(p: f64) -> f64 {
    LEFT + p * (W - LEFT - 4.0)
}

fn y_of_mg_dl(mg_dl: f64) -> f64 {
    let (lo, hi) = CHART_MG_DL;
    let share = ((mg_dl.clamp(lo, hi) - lo) / (hi - lo)).clamp(0.0, 1.0);
    TOP + (1.0 - share) * (H - TOP - BOTTOM)
}

#[component]
pub fn GlucoseChart(
    points: Vec<ChartPoint>,
    days: i64,
    unit: GlucoseUnit,
    tr: Tr,
) -> impl IntoView {
    let (lo, hi) = TARGET_MG_DL;
    let title = tr.t_with(
        "phone-chart-title",
        &[
            ("n", days.into()),
            ("unit", i18n::unit_name(unit).into()),
            ("lo", display(lo, unit).into()),
            ("hi", display(hi, unit).into()),
        ],
    );
    let lows = points.iter().filter(|p| p.low).count();
    let summary = if points.is_empty() {
        tr.t("phone-chart-empty")
    } else {
        tr.t_with(
            "phone-chart-summary",
            &[("n", points.len().into()), ("low", lows.into())],
        )
    };
    let start = tr.t_with("phone-chart-start", &[("n", days.into())]);
    let line: String = points
        .iter()
        .map(|p| format!("{:.1},{:.1}", x(p.x), y_of_mg_dl(p.mg_dl)))
        .collect::<Vec<_>>()
        .join(" ");
    let grid = (0..=days)
        .map(|d| {
            let gx = x(d as f64 / days as f64);
            view! { <line class="grid" x1=gx y1=TOP x2=gx y2=H - BOTTOM /> }
        })
        .collect_view();
    let labels = [lo, hi, 300.0]
        .into_iter()
        .map(|mg| {
            view! {
                <text class="axis" x=LEFT - 4.0 y=y_of_mg_dl(mg) + 3.5 text-anchor="end">{display(mg, unit)}</text>
            }
        })
        .collect_view();
    let dots = points
        .iter()
        .map(|p| {
            view! { <circle class:low=p.low cx=x(p.x) cy=y_of_mg_dl(p.mg_dl) r="3.5" /> }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=title.clone()>
                <title>{title.clone()}</title>
                <rect class="target" x=LEFT y=y_of_mg_dl(hi) width=W - LEFT - 4.0 height=y_of_mg_dl(lo) - y_of_mg_dl(hi) />
                {grid}
                {labels}
                <text class="axis" x=LEFT y=H - 3.0>{start}</text>
                <text class="axis" x=W - 4.0 y=H - 3.0 text-anchor="end">{tr.t("phone-today")}</text>
                <polyline class="trace" points=line />
                {dots}
            </svg>
            <figcaption>{title}" · "{summary}</figcaption>
        </figure>
    }
}
