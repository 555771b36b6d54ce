//! Charts: ECharts (served from our own `/vendor/echarts/`) driven through `charming`, each with an accessible
//! label and its data as a table (open when ECharts is not available). New data patches the live chart in place
//! (`setOption`), so a widget refreshed by a socket event does not flash or lose its hover state.

use charming::component::{Axis, Grid, Legend};
use charming::element::{AxisType, ItemStyle, Tooltip, Trigger};
use charming::series::{Bar, Funnel, Line, Pie};
use charming::{Echarts, WasmRenderer};
use leptos::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    Bar,
    /// Bars of every series stacked per category.
    StackedBar,
    Line,
    Funnel,
    Pie,
}

/// One named series of values, one per category.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
    /// A fixed colour (e.g. red for failures); the palette's otherwise.
    pub color: Option<&'static str>,
}

impl Series {
    pub fn new(name: impl Into<String>, values: Vec<f64>) -> Self {
        Series {
            name: name.into(),
            values,
            color: None,
        }
    }

    pub fn color(mut self, color: &'static str) -> Self {
        self.color = Some(color);
        self
    }
}

/// What a chart shows: categories (x axis, funnel steps, pie slices) and series over them.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartData {
    pub kind: ChartKind,
    /// The categories' heading in the table ("Week", "Stage").
    pub category_label: String,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
}

impl ChartData {
    pub fn new(kind: ChartKind, category_label: &str, categories: Vec<String>) -> Self {
        ChartData {
            kind,
            category_label: category_label.to_owned(),
            categories,
            series: Vec::new(),
        }
    }

    pub fn series(mut self, s: Series) -> Self {
        self.series.push(s);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.categories.is_empty()
    }

    fn to_chart(&self) -> charming::Chart {
        let style = |s: &Series| s.color.map(|c| ItemStyle::new().color(c));
        let mut chart = charming::Chart::new().tooltip(Tooltip::new().trigger(match self.kind {
            ChartKind::Funnel | ChartKind::Pie => Trigger::Item,
            _ => Trigger::Axis,
        }));
        if self.series.len() > 1 || matches!(self.kind, ChartKind::Pie) {
            chart = chart.legend(Legend::new().bottom(0));
        }
        match self.kind {
            ChartKind::Funnel | ChartKind::Pie => {
                let Some(s) = self.series.first() else {
                    return chart;
                };
                let data: Vec<(f64, String)> = s
                    .values
                    .iter()
                    .zip(&self.categories)
                    .map(|(v, c)| (*v, c.clone()))
                    .collect();
                if self.kind == ChartKind::Funnel {
                    chart.series(Funnel::new().name(s.name.clone()).data(data))
                } else {
                    chart.series(
                        Pie::new()
                            .name(s.name.clone())
                            .radius(vec!["40%", "70%"])
                            .data(data),
                    )
                }
            }
            ChartKind::Bar | ChartKind::StackedBar | ChartKind::Line => {
                chart = chart
                    .grid(
                        Grid::new()
                            .left(48)
                            .right(16)
                            .top(16)
                            .bottom(if self.series.len() > 1 { 56 } else { 32 }),
                    )
                    .x_axis(
                        Axis::new()
                            .type_(AxisType::Category)
                            .data(self.categories.clone()),
                    )
                    .y_axis(Axis::new().type_(AxisType::Value));
                for s in &self.series {
                    chart = match self.kind {
                        ChartKind::Line => {
                            let mut line = Line::new().name(s.name.clone()).data(s.values.clone());
                            if let Some(st) = style(s) {
                                line = line.item_style(st);
                            }
                            chart.series(line)
                        }
                        _ => {
                            let mut bar = Bar::new().name(s.name.clone()).data(s.values.clone());
                            if self.kind == ChartKind::StackedBar {
                                bar = bar.stack("total");
                            }
                            if let Some(st) = style(s) {
                                bar = bar.item_style(st);
                            }
                            chart.series(bar)
                        }
                    };
                }
                chart
            }
        }
    }
}

fn echarts_loaded() -> bool {
    js_sys::Reflect::has(&window(), &"echarts".into()).unwrap_or(false)
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A chart of `data` (re-rendered in place when it changes), labelled `label` for screen readers, with the
/// same numbers as a table under "Show as table".
#[component]
pub fn Chart(
    #[prop(into)] data: Signal<ChartData>,
    #[prop(into)] label: String,
    #[prop(default = 260)] height: u32,
) -> impl IntoView {
    let id = format!("chart-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let handle: StoredValue<Option<Echarts>, LocalStorage> = StoredValue::new_local(None);
    let available = echarts_loaded();
    let target = id.clone();
    Effect::new(move |_| {
        let (chart, empty) = data.with(|d| (d.to_chart(), d.is_empty()));
        if !available {
            return;
        }
        // The canvas is only in the page while there is data: a new one gets a new chart.
        if empty {
            handle.set_value(None);
            return;
        }
        let rendered = handle.with_value(|h| {
            h.as_ref()
                .map(|h| WasmRenderer::update(h, &chart))
                .is_some()
        });
        if !rendered {
            match WasmRenderer::new_opt(None, Some(height)).render(&target, &chart) {
                Ok(h) => handle.set_value(Some(h)),
                Err(e) => leptos::logging::warn!("chart {target}: {e:?}"),
            }
        }
    });
    let table = move || {
        data.with(|d| {
            let head = d
                .series
                .iter()
                .map(|s| view! { <th scope="col" class="num">{s.name.clone()}</th> })
                .collect_view();
            let rows = d
                .categories
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let cells = d
                        .series
                        .iter()
                        .map(|s| view! { <td class="num">{s.values.get(i).copied().map(number).unwrap_or_default()}</td> })
                        .collect_view();
                    view! { <tr><th scope="row">{c.clone()}</th>{cells}</tr> }
                })
                .collect_view();
            view! {
                <table class="data-table report-table">
                    <thead><tr><th scope="col">{d.category_label.clone()}</th>{head}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }
        })
    };
    let empty = move || data.with(ChartData::is_empty);
    view! {
        <figure class="chart">
            <Show when=move || !empty() fallback=|| view! { <p class="muted">"No data in this period."</p> }>
                <div
                    id=id.clone()
                    class="chart-canvas"
                    role="img"
                    aria-label=label.clone()
                    style=format!("height: {height}px")
                    hidden=!available
                ></div>
                <details class="chart-table" open=!available>
                    <summary>"Show as table"</summary>
                    {table}
                </details>
            </Show>
        </figure>
    }
}
