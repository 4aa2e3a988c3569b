//! Charts drawn as SVG on the server (no script, no chart library): a bar chart with its values
//! written on the bars, and beside it the same figures as a table for screen readers (the picture
//! is hidden from them, so nothing is read twice).
use leptos::prelude::*;

/// The chart's drawing area in SVG units (it scales to its box).
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const TOP: f64 = 18.0;
const BOTTOM: f64 = 36.0;

/// Where each bar goes: (x, y, width, height) for values scaled to the tallest one.
pub fn bars(values: &[i64]) -> Vec<(f64, f64, f64, f64)> {
    let n = values.len().max(1) as f64;
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let slot = WIDTH / n;
    let width = (slot * 0.7).max(2.0);
    let room = HEIGHT - TOP - BOTTOM;
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let h = (*v).max(0) as f64 / max * room;
            let x = i as f64 * slot + (slot - width) / 2.0;
            (x, TOP + room - h, width, h)
        })
        .collect()
}

/// A bar chart of `rows` (label, value) with `title`; `label_head` and `value_head` head the
/// table that says the same in words.
#[component]
pub fn BarChart(id: &'static str, title: String, label_head: &'static str, value_head: &'static str, rows: Vec<(String, i64)>) -> impl IntoView {
    let values: Vec<i64> = rows.iter().map(|(_, v)| *v).collect();
    let placed = bars(&values);
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    let view_box = format!("0 0 {WIDTH} {HEIGHT}");
    let baseline = HEIGHT - BOTTOM;
    let drawn = rows
        .iter()
        .zip(placed)
        .map(|((label, value), (x, y, w, h))| {
            let cx = x + w / 2.0;
            view! {
                <g>
                    <rect class="bar" x=format!("{x:.1}") y=format!("{y:.1}") width=format!("{w:.1}") height=format!("{h:.1}") />
                    <text class="value" x=format!("{cx:.1}") y=format!("{:.1}", y - 4.0) text-anchor="middle">{value.to_string()}</text>
                    <text class="label" x=format!("{cx:.1}") y=format!("{:.1}", baseline + 16.0) text-anchor="middle">{label.clone()}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart card" id=id aria-labelledby=labelled_by>
            <figcaption id=title_id>{title.clone()}</figcaption>
            <svg viewBox=view_box preserveAspectRatio="xMidYMid meet" aria-hidden="true" focusable="false">
                <line class="axis" x1="0" y1=format!("{baseline}") x2=format!("{WIDTH}") y2=format!("{baseline}") />
                {drawn}
            </svg>
            <table class="sr-only">
                <caption>{title}</caption>
                <thead><tr><th scope="col">{label_head}</th><th scope="col">{value_head}</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|(l, v)| view! { <tr><th scope="row">{l}</th><td>{v}</td></tr> }).collect_view()}
                </tbody>
            </table>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn bars_are_scaled_to_the_tallest() {
        let b = super::bars(&[0, 5, 10]);
        assert_eq!(b.len(), 3);
        assert_eq!(b[0].3, 0.0);
        assert!((b[2].3 - (super::HEIGHT - super::TOP - super::BOTTOM)).abs() < 1e-9, "the tallest fills the height");
        assert!((b[1].3 * 2.0 - b[2].3).abs() < 1e-9);
        assert!(b.windows(2).all(|w| w[0].0 < w[1].0), "left to right");
        assert!(super::bars(&[]).is_empty());
        assert_eq!(super::bars(&[0, 0])[1].3, 0.0, "all zero: no division by zero");
    }
}
