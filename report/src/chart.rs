//! The charts of the profile: SVG drawn by `plotters` in Rust, made accessible (a `<title>`,
//! a `<desc>`, `role="img"`, `aria-labelledby`) and scalable (a `viewBox`, no fixed size).

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{ReportError, Result};
use crate::html::escape;

const FONT: &str = "sans-serif";
const BAR: RGBColor = RGBColor(31, 94, 140);
const WOMEN: RGBColor = RGBColor(176, 58, 96);
const MEN: RGBColor = RGBColor(31, 94, 140);
const GRID: RGBColor = RGBColor(120, 120, 120);
const SERIES: [RGBColor; 6] = [
    RGBColor(31, 94, 140),
    RGBColor(176, 58, 96),
    RGBColor(64, 135, 64),
    RGBColor(204, 121, 0),
    RGBColor(110, 80, 160),
    RGBColor(90, 90, 90),
];

/// What every chart says about itself.
pub(crate) struct Label<'a> {
    /// A unique id in the page.
    pub id: &'a str,
    /// The chart's title (drawn and in `<title>`).
    pub title: &'a str,
    /// A text alternative (in `<desc>`; the page also shows the data as a table).
    pub desc: &'a str,
}

fn chart_error(title: &str) -> impl Fn(String) -> ReportError + '_ {
    move |reason| ReportError::Chart {
        chart: title.to_owned(),
        reason,
    }
}

/// Draws into an SVG string of `size` and makes it accessible.
fn draw(
    label: &Label<'_>,
    size: (u32, u32),
    paint: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> std::result::Result<(), String>,
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)
            .map_err(|e| e.to_string())
            .map_err(chart_error(label.title))?;
        paint(&root).map_err(chart_error(label.title))?;
        root.present()
            .map_err(|e| e.to_string())
            .map_err(chart_error(label.title))?;
    }
    Ok(accessible(&svg, label, size))
}

/// The SVG with a title, a description and ARIA roles, scaling to its container.
fn accessible(svg: &str, label: &Label<'_>, (width, height): (u32, u32)) -> String {
    let body = svg
        .find('>')
        .and_then(|end| svg.get(end + 1..))
        .unwrap_or_default();
    let id = label.id;
    format!(
        "<svg class=\"chart\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>{body}",
        escape(label.title),
        escape(label.desc)
    )
}

/// The legend of a chart's labelled series.
fn legend<'b, X, Y>(
    chart: &mut ChartContext<'b, SVGBackend<'b>, Cartesian2d<X, Y>>,
    position: SeriesLabelPosition,
) -> std::result::Result<(), String>
where
    X: plotters::coord::ranged1d::Ranged,
    Y: plotters::coord::ranged1d::Ranged,
{
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(GRID)
        .label_font((FONT, 12))
        .draw()
        .map_err(|e| e.to_string())
}

fn max_of(values: impl Iterator<Item = u64>) -> u64 {
    values.max().unwrap_or(0).max(1)
}

#[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)] // a handful of bars
fn index(i: usize) -> i32 {
    i as i32
}

/// Horizontal bars, one per label; `None` (withheld) draws no bar.
pub(crate) fn bars(
    label: &Label<'_>,
    x_desc: &str,
    y_desc: &str,
    rows: &[(String, Option<u64>)],
) -> Result<String> {
    let height = 110 + 26 * u32::try_from(rows.len().max(1)).unwrap_or(40);
    let max = max_of(rows.iter().filter_map(|(_, v)| *v));
    let longest = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(4);
    let label_width = u32::try_from(longest.clamp(4, 48)).unwrap_or(48) * 7 + 30;
    draw(label, (760, height), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(label.title, (FONT, 18))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(label_width)
            .build_cartesian_2d(
                0..max + max / 10 + 1,
                (0..index(rows.len())).into_segmented(),
            )
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .bold_line_style(GRID.mix(0.2))
            .light_line_style(TRANSPARENT)
            .x_desc(x_desc)
            .y_desc(y_desc)
            .y_labels(rows.len())
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => usize::try_from(*i)
                    .ok()
                    .and_then(|i| rows.len().checked_sub(i + 1))
                    .and_then(|i| rows.get(i))
                    .map(|(l, _)| truncate(l, 48))
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 13))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(rows.iter().enumerate().filter_map(|(i, (_, v))| {
                let v = (*v)?;
                // The first row at the top.
                let i = index(rows.len() - 1 - i);
                let mut bar = Rectangle::new(
                    [(0, SegmentValue::Exact(i)), (v, SegmentValue::Exact(i + 1))],
                    BAR.filled(),
                );
                bar.set_margin(4, 4, 0, 0);
                Some(bar)
            }))
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// An age-sex pyramid: men to the left, women to the right, one row per age group
/// (youngest at the bottom); `None` (withheld) draws no bar.
pub(crate) fn pyramid(
    label: &Label<'_>,
    rows: &[(String, Option<u64>, Option<u64>)],
) -> Result<String> {
    let max = i64::try_from(max_of(rows.iter().flat_map(|(_, m, w)| [*m, *w]).flatten()))
        .unwrap_or(i64::MAX / 2);
    let span = max + max / 10 + 1;
    draw(label, (560, 300), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(label.title, (FONT, 16))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(-span..span, (0..index(rows.len())).into_segmented())
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .bold_line_style(GRID.mix(0.2))
            .light_line_style(TRANSPARENT)
            .x_desc("workers (men left, women right)")
            .y_desc("age group")
            .x_labels(7)
            .x_label_formatter(&|v| v.abs().to_string())
            .y_labels(rows.len())
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => usize::try_from(*i)
                    .ok()
                    .and_then(|i| rows.get(i))
                    .map(|(l, _, _)| l.clone())
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 13))
            .draw()
            .map_err(|e| e.to_string())?;
        let bar = |i: usize, from: i64, to: i64, color: RGBColor| {
            let i = index(i);
            let mut bar = Rectangle::new(
                [
                    (from, SegmentValue::Exact(i)),
                    (to, SegmentValue::Exact(i + 1)),
                ],
                color.filled(),
            );
            bar.set_margin(3, 3, 0, 0);
            bar
        };
        let signed = |v: u64| i64::try_from(v).unwrap_or(i64::MAX / 2);
        chart
            .draw_series(
                rows.iter()
                    .enumerate()
                    .filter_map(|(i, (_, m, _))| m.map(|m| bar(i, -signed(m), 0, MEN))),
            )
            .map_err(|e| e.to_string())?
            .label("men")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], MEN.filled()));
        chart
            .draw_series(
                rows.iter()
                    .enumerate()
                    .filter_map(|(i, (_, _, w))| w.map(|w| bar(i, 0, signed(w), WOMEN))),
            )
            .map_err(|e| e.to_string())?
            .label("women")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], WOMEN.filled()));
        legend(&mut chart, SeriesLabelPosition::UpperRight)
    })
}

/// Lines over periods, one per series; `None` (withheld) leaves a gap.
pub(crate) fn lines(
    label: &Label<'_>,
    periods: &[String],
    series: &[(String, Vec<Option<u64>>)],
) -> Result<String> {
    let max = max_of(series.iter().flat_map(|(_, v)| v.iter().flatten().copied()));
    draw(label, (760, 360), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(label.title, (FONT, 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(
                (0..index(periods.len().saturating_sub(1))).into_segmented(),
                0..max + max / 10 + 1,
            )
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .bold_line_style(GRID.mix(0.2))
            .light_line_style(TRANSPARENT)
            .x_desc("period")
            .y_desc("workers")
            .x_labels(periods.len())
            .x_label_formatter(&|v| match v {
                SegmentValue::Exact(i) | SegmentValue::CenterOf(i) => usize::try_from(*i)
                    .ok()
                    .and_then(|i| periods.get(i))
                    .cloned()
                    .unwrap_or_default(),
                SegmentValue::Last => String::new(),
            })
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 13))
            .draw()
            .map_err(|e| e.to_string())?;
        for (n, (name, values)) in series.iter().enumerate() {
            let color = SERIES.get(n % SERIES.len()).copied().unwrap_or(BAR);
            let points: Vec<_> = values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (SegmentValue::Exact(index(i)), v)))
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
                .map_err(|e| e.to_string())?
                .label(truncate(name, 40))
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 14, y)], color.stroke_width(2))
                });
            chart
                .draw_series(
                    points
                        .into_iter()
                        .map(|p| Circle::new(p, 3, color.filled())),
                )
                .map_err(|e| e.to_string())?;
        }
        legend(&mut chart, SeriesLabelPosition::LowerRight)
    })
}

/// A shape on the map and the workers it stands for (`None`: withheld).
pub(crate) enum Shape {
    /// A boundary: outer rings of (longitude, latitude).
    Area(Vec<Vec<(f64, f64)>>),
    /// A point (longitude, latitude), drawn as a circle sized by workers.
    Point(f64, f64),
}

/// A map of org units: boundaries shaded and points sized by workers.
pub(crate) fn map(label: &Label<'_>, shapes: &[(Shape, Option<u64>)]) -> Result<String> {
    let mut lon = (f64::INFINITY, f64::NEG_INFINITY);
    let mut lat = (f64::INFINITY, f64::NEG_INFINITY);
    let mut widen = |x: f64, y: f64| {
        lon = (lon.0.min(x), lon.1.max(x));
        lat = (lat.0.min(y), lat.1.max(y));
    };
    for (shape, _) in shapes {
        match shape {
            Shape::Area(rings) => rings.iter().flatten().for_each(|(x, y)| widen(*x, *y)),
            Shape::Point(x, y) => widen(*x, *y),
        }
    }
    if !lon.0.is_finite() {
        lon = (-1.0, 1.0);
        lat = (-1.0, 1.0);
    }
    let pad = ((lon.1 - lon.0).max(lat.1 - lat.0) * 0.05).max(0.05);
    let (lon, lat) = ((lon.0 - pad, lon.1 + pad), (lat.0 - pad, lat.1 + pad));
    // Equirectangular, scaled by the cosine of the middle latitude.
    let aspect = ((lon.1 - lon.0) * f64::midpoint(lat.0, lat.1).to_radians().cos()
        / (lat.1 - lat.0))
        .clamp(0.4, 3.0);
    let width = 760u32;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // clamped above
    let height = ((f64::from(width - 90) / aspect) as u32 + 90).clamp(240, 900);
    let max = max_of(shapes.iter().filter_map(|(_, v)| *v));
    #[allow(clippy::cast_precision_loss)]
    let share = |v: u64| v as f64 / max as f64;
    draw(label, (width, height), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(label.title, (FONT, 18))
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(50)
            .build_cartesian_2d(lon.0..lon.1, lat.0..lat.1)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .bold_line_style(GRID.mix(0.15))
            .light_line_style(TRANSPARENT)
            .x_desc("longitude (°E)")
            .y_desc("latitude (°N)")
            .x_label_formatter(&|v| format!("{v:.1}"))
            .y_label_formatter(&|v| format!("{v:.1}"))
            .label_style((FONT, 11))
            .axis_desc_style((FONT, 13))
            .draw()
            .map_err(|e| e.to_string())?;
        for (shape, value) in shapes {
            if let Shape::Area(rings) = shape {
                let fill = match value {
                    Some(v) => BAR.mix(0.15 + 0.8 * share(*v)).filled(),
                    None => GRID.mix(0.1).filled(),
                };
                for ring in rings {
                    chart
                        .draw_series(std::iter::once(Polygon::new(ring.clone(), fill)))
                        .map_err(|e| e.to_string())?;
                    chart
                        .draw_series(std::iter::once(PathElement::new(ring.clone(), GRID)))
                        .map_err(|e| e.to_string())?;
                }
            }
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 2 to 22 pixels
        chart
            .draw_series(
                shapes
                    .iter()
                    .filter_map(|(shape, value)| match (shape, value) {
                        (Shape::Point(x, y), Some(v)) => Some(Circle::new(
                            (*x, *y),
                            (2.0 + 20.0 * share(*v).sqrt()) as u32,
                            WOMEN.mix(0.55).filled(),
                        )),
                        _ => None,
                    }),
            )
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

fn truncate(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(chars - 1).collect();
        format!("{cut}…")
    }
}
