//! The dashboard's sync throughput chart: records the sync engine wrote per five minutes over
//! the last hour, as an inline SVG bar chart drawn on the server (no script, no inline style),
//! with a title and description for assistive technology and the numbers as a table too.

use chrono::{DateTime, Utc};
use maud::{html, Markup};

/// One window of the chart: when it starts and ends, and the records written to each side.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub to_scheduling: i64,
    pub to_hr: i64,
}

impl Window {
    pub fn total(&self) -> i64 {
        self.to_scheduling + self.to_hr
    }
    fn label(&self) -> String {
        format!("{}–{}", self.from.format("%H:%M"), self.to.format("%H:%M"))
    }
}

const WIDTH: f64 = 520.0;
const HEIGHT: f64 = 160.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 26.0;

/// The smallest 1, 2 or 5 × 10ⁿ at or above `n` (at least 1): the top of the scale.
pub fn scale_top(n: i64) -> i64 {
    let mut step = 1i64;
    loop {
        for m in [1, 2, 5] {
            if step.saturating_mul(m) >= n {
                return step.saturating_mul(m);
            }
        }
        step = step.saturating_mul(10);
    }
}

/// The chart's summary in words (its description, and the line under it).
pub fn summary(windows: &[Window]) -> String {
    let total: i64 = windows.iter().map(Window::total).sum();
    let (Some(first), Some(last)) = (windows.first(), windows.last()) else { return String::new() };
    let span = format!("between {} and {} UTC", first.from.format("%H:%M"), last.to.format("%H:%M"));
    match windows.iter().filter(|w| w.total() > 0).max_by_key(|w| (w.total(), std::cmp::Reverse(w.from))) {
        None => format!("No records synced {span}."),
        Some(busiest) => format!(
            "{} synced {span}; the busiest five minutes, {} UTC, synced {}.",
            super::plural(total, "record"),
            busiest.label(),
            busiest.total()
        ),
    }
}

fn n(x: f64) -> String {
    format!("{x:.1}")
}

pub fn render(windows: &[Window]) -> Markup {
    let top = scale_top(windows.iter().map(Window::total).max().unwrap_or(0));
    let plot_width = WIDTH - LEFT - RIGHT;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let slot = plot_width / windows.len().max(1) as f64;
    let bar_width = slot * 0.7;
    let base = TOP + plot_height;
    let text = summary(windows);
    html! {
        svg.chart #throughput-chart role="img" aria-labelledby="chart-title chart-desc"
            viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } xmlns="http://www.w3.org/2000/svg" {
            title #chart-title { "Records synced per five minutes over the last hour" }
            desc #chart-desc { (text) }
            line.axis x1=(n(LEFT)) y1=(n(base)) x2=(n(WIDTH - RIGHT)) y2=(n(base)) {}
            line.axis x1=(n(LEFT)) y1=(n(TOP)) x2=(n(LEFT)) y2=(n(base)) {}
            line.axis x1=(n(LEFT - 4.0)) y1=(n(TOP)) x2=(n(LEFT)) y2=(n(TOP)) {}
            text x=(n(LEFT - 7.0)) y=(n(TOP + 4.0)) text-anchor="end" { (top) }
            text x=(n(LEFT - 7.0)) y=(n(base + 4.0)) text-anchor="end" { "0" }
            @if top % 2 == 0 {
                line.axis x1=(n(LEFT - 4.0)) y1=(n(TOP + plot_height / 2.0)) x2=(n(LEFT)) y2=(n(TOP + plot_height / 2.0)) {}
                text x=(n(LEFT - 7.0)) y=(n(TOP + plot_height / 2.0 + 4.0)) text-anchor="end" { (top / 2) }
            }
            @for (i, w) in windows.iter().enumerate() {
                @let x = LEFT + slot * i as f64 + (slot - bar_width) / 2.0;
                @let h = plot_height * w.total() as f64 / top as f64;
                @if w.total() > 0 {
                    rect.bar x=(n(x)) y=(n(base - h)) width=(n(bar_width)) height=(n(h)) {
                        title { (w.label()) " UTC: " (super::plural(w.total(), "record")) }
                    }
                }
                @if i % 3 == 0 || i + 1 == windows.len() {
                    text x=(n(x + bar_width / 2.0)) y=(n(base + 16.0)) text-anchor="middle" {
                        @if i + 1 == windows.len() { "now" } @else { (w.from.format("%H:%M")) }
                    }
                }
            }
        }
        p #chart-summary { (text) }
        details {
            summary { "The numbers" }
            table #throughput {
                caption.visually-hidden { "Records synced per five minutes" }
                thead { tr { th { "Five minutes (UTC)" } th.num { "To scheduling" } th.num { "To HR" } th.num { "Total" } } }
                tbody {
                    @for w in windows {
                        tr { td { (w.label()) } td.num { (w.to_scheduling) } td.num { (w.to_hr) } td.num { (w.total()) } }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("a time").with_timezone(&Utc)
    }

    fn window(from: &str, to: &str, to_scheduling: i64, to_hr: i64) -> Window {
        Window { from: at(from), to: at(to), to_scheduling, to_hr }
    }

    #[test]
    fn the_scale_tops_at_a_round_number() {
        let cases = [(0, 1), (1, 1), (2, 2), (3, 5), (7, 10), (11, 20), (250, 500), (1000, 1000)];
        for (n, top) in cases {
            assert_eq!(scale_top(n), top, "{n}");
        }
    }

    #[test]
    fn the_chart_says_what_it_shows() {
        let windows = [
            window("2026-03-02T09:00:00Z", "2026-03-02T09:05:00Z", 0, 0),
            window("2026-03-02T09:05:00Z", "2026-03-02T09:10:00Z", 40, 2),
            window("2026-03-02T09:10:00Z", "2026-03-02T09:15:00Z", 3, 0),
        ];
        let text = summary(&windows);
        assert_eq!(
            text,
            "45 records synced between 09:00 and 09:15 UTC; the busiest five minutes, 09:05–09:10 UTC, synced 42."
        );
        let svg = render(&windows).into_string();
        assert_eq!(svg.matches("<rect class=\"bar\"").count(), 2, "no bar for an empty window: {svg}");
        assert!(svg.contains("09:05–09:10 UTC: 42 records"), "{svg}");
        assert!(!svg.contains("style="), "no inline style: {svg}");
        let idle = [window("2026-03-02T09:00:00Z", "2026-03-02T09:05:00Z", 0, 0)];
        assert_eq!(summary(&idle), "No records synced between 09:00 and 09:05 UTC.");
    }
}
