//! Charts drawn on the server as SVG (STAT-1): grouped bars and lines with
//! Chinese labels, no script, readable in print (solid strokes, values
//! written on the bars and points, patterns not needed). The caller puts
//! the returned `<svg>` into the page as is; every text is escaped here.

use std::fmt::Write;

/// One series: its legend label, colour and a value per category (`None`:
/// no value, e.g. a rate with nothing to divide by).
pub struct Series<'a> {
    pub name: &'a str,
    pub color: &'a str,
    pub values: Vec<Option<f64>>,
}

/// A chart's frame.
pub struct Chart<'a> {
    /// Accessible title (`<title>` and `aria-label`).
    pub title: &'a str,
    pub categories: Vec<String>,
    pub series: Vec<Series<'a>>,
    /// Unit appended to the values written on the chart (e.g. "%").
    pub suffix: &'a str,
    /// A horizontal reference line with its label (e.g. the 50 % aim).
    pub target: Option<(f64, &'a str)>,
    /// Fixed top of the axis (100 for percentages); otherwise from the data.
    pub max: Option<f64>,
}

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 46.0;

/// Escapes text for SVG.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A value as written on the chart: whole numbers without decimals.
fn number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

/// A round top for the axis: 1, 2 or 5 times a power of ten, at least `max`.
fn nice_top(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let mag = 10f64.powf(max.log10().floor());
    for step in [1.0, 2.0, 5.0, 10.0] {
        if step * mag >= max {
            return step * mag;
        }
    }
    10.0 * mag
}

impl Chart<'_> {
    fn top(&self) -> f64 {
        if let Some(m) = self.max {
            return m;
        }
        let data = self
            .series
            .iter()
            .flat_map(|s| s.values.iter().flatten().copied())
            .chain(self.target.map(|t| t.0))
            .fold(0.0, f64::max);
        let whole = self
            .series
            .iter()
            .flat_map(|s| s.values.iter().flatten())
            .all(|v| v.fract() == 0.0);
        if whole {
            // Counts: four whole steps (no 0.5 on an axis of visits).
            let top = nice_top(data).max(4.0);
            (top / 4.0).ceil() * 4.0
        } else {
            nice_top(data)
        }
    }

    fn y(&self, v: f64, top: f64) -> f64 {
        TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - (v / top).clamp(0.0, 1.0))
    }

    /// Frame, grid, axis labels, categories, legend and target line.
    fn frame(&self, svg: &mut String, top: f64) {
        let title = escape(self.title);
        let _ = write!(
            svg,
            r##"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{title}" font-size="12"><title>{title}</title>"##
        );
        for i in 0..=4 {
            let v = top * f64::from(i) / 4.0;
            let y = self.y(v, top);
            let _ = write!(
                svg,
                r##"<line x1="{LEFT}" y1="{y:.1}" x2="{x2}" y2="{y:.1}" stroke="#d9dee5" stroke-width="1"/><text x="{tx}" y="{ty:.1}" text-anchor="end" fill="#555">{label}</text>"##,
                x2 = WIDTH - RIGHT,
                tx = LEFT - 6.0,
                ty = y + 4.0,
                label = escape(&format!("{}{}", number(v), self.suffix)),
            );
        }
        let n = self.categories.len().max(1) as f64;
        let band = (WIDTH - LEFT - RIGHT) / n;
        // Long category names are cut so they never overlap.
        let max_chars = ((band / 12.0).floor() as usize).max(2);
        for (i, c) in self.categories.iter().enumerate() {
            let x = LEFT + band * (i as f64 + 0.5);
            let shown: String = if c.chars().count() > max_chars {
                c.chars().take(max_chars - 1).chain(['…']).collect()
            } else {
                c.clone()
            };
            let _ = write!(
                svg,
                r##"<text x="{x:.1}" y="{y}" text-anchor="middle" fill="#333"><title>{full}</title>{shown}</text>"##,
                y = HEIGHT - BOTTOM + 16.0,
                full = escape(c),
                shown = escape(&shown),
            );
        }
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" y1="{y}" x2="{x2}" y2="{y}" stroke="#888" stroke-width="1"/>"##,
            y = HEIGHT - BOTTOM,
            x2 = WIDTH - RIGHT,
        );
        // Legend along the bottom.
        let mut lx = LEFT;
        let ly = HEIGHT - 10.0;
        for s in &self.series {
            let _ = write!(
                svg,
                r##"<rect x="{lx}" y="{ry}" width="12" height="10" fill="{c}"/><text x="{tx}" y="{ly}" fill="#333">{name}</text>"##,
                ry = ly - 9.0,
                c = escape(s.color),
                tx = lx + 16.0,
                name = escape(s.name),
            );
            lx += 28.0 + 13.0 * s.name.chars().count() as f64;
        }
        if let Some((v, label)) = self.target {
            let y = self.y(v, top);
            let _ = write!(
                svg,
                r##"<line class="target" x1="{LEFT}" y1="{y:.1}" x2="{x2}" y2="{y:.1}" stroke="#c0392b" stroke-width="1.5" stroke-dasharray="6 4"/><text x="{tx}" y="{ty:.1}" text-anchor="end" fill="#c0392b">{label}</text>"##,
                x2 = WIDTH - RIGHT,
                tx = WIDTH - RIGHT - 2.0,
                ty = y - 4.0,
                label = escape(label),
            );
        }
    }
}

/// Grouped bars: one group per category, one bar per series.
pub fn bar_chart(chart: &Chart) -> String {
    let top = chart.top();
    let mut svg = String::new();
    chart.frame(&mut svg, top);
    let n = chart.categories.len().max(1) as f64;
    let band = (WIDTH - LEFT - RIGHT) / n;
    let k = chart.series.len().max(1) as f64;
    let bar = (band * 0.7 / k).min(36.0);
    for (si, s) in chart.series.iter().enumerate() {
        for (i, v) in s.values.iter().enumerate() {
            let Some(v) = v else { continue };
            let x = LEFT + band * (i as f64 + 0.5) - bar * k / 2.0 + bar * si as f64;
            let y = chart.y(*v, top);
            let h = HEIGHT - BOTTOM - y;
            let _ = write!(
                svg,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{c}"><title>{cat} {name}：{val}</title></rect>"##,
                w = bar - 2.0,
                c = escape(s.color),
                cat = escape(chart.categories.get(i).map(String::as_str).unwrap_or("")),
                name = escape(s.name),
                val = escape(&format!("{}{}", number(*v), chart.suffix)),
            );
            if bar >= 14.0 && *v > 0.0 {
                let _ = write!(
                    svg,
                    r##"<text x="{tx:.1}" y="{ty:.1}" text-anchor="middle" font-size="10" fill="#333">{val}</text>"##,
                    tx = x + (bar - 2.0) / 2.0,
                    ty = y - 3.0,
                    val = escape(&number(*v)),
                );
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Lines: one polyline per series over the categories; a missing value
/// breaks the line.
pub fn line_chart(chart: &Chart) -> String {
    let top = chart.top();
    let mut svg = String::new();
    chart.frame(&mut svg, top);
    let n = chart.categories.len().max(1) as f64;
    let band = (WIDTH - LEFT - RIGHT) / n;
    for s in &chart.series {
        let mut segments: Vec<Vec<(f64, f64, f64)>> = vec![Vec::new()];
        for (i, v) in s.values.iter().enumerate() {
            match v {
                Some(v) => {
                    let x = LEFT + band * (i as f64 + 0.5);
                    segments
                        .last_mut()
                        .expect("one segment")
                        .push((x, chart.y(*v, top), *v));
                }
                None => segments.push(Vec::new()),
            }
        }
        for seg in segments.iter().filter(|s| !s.is_empty()) {
            let points: Vec<String> = seg
                .iter()
                .map(|(x, y, _)| format!("{x:.1},{y:.1}"))
                .collect();
            let _ = write!(
                svg,
                r##"<polyline points="{p}" fill="none" stroke="{c}" stroke-width="2"/>"##,
                p = points.join(" "),
                c = escape(s.color),
            );
            for (x, y, v) in seg {
                let _ = write!(
                    svg,
                    r##"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="{c}"><title>{name}：{val}</title></circle><text x="{x:.1}" y="{ty:.1}" text-anchor="middle" font-size="10" fill="#333">{val}</text>"##,
                    c = escape(s.color),
                    name = escape(s.name),
                    ty = y - 6.0,
                    val = escape(&format!("{}{}", number(*v), chart.suffix)),
                );
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart<'a>(series: Vec<Series<'a>>) -> Chart<'a> {
        Chart {
            title: "各月检查次数",
            categories: vec!["1月".into(), "2月".into(), "3月".into()],
            series,
            suffix: "",
            target: None,
            max: None,
        }
    }

    #[test]
    fn bars_have_one_rect_per_value_with_chinese_labels() {
        let svg = bar_chart(&chart(vec![
            Series {
                name: "检查次数",
                color: "#1f5fa8",
                values: vec![Some(4.0), Some(0.0), None],
            },
            Series {
                name: "联合检查",
                color: "#3c9a5f",
                values: vec![Some(2.0), Some(1.0), Some(3.0)],
            },
        ]));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(
            svg.matches("<rect x=").count() - 2,
            5,
            "5 bars + 2 legend keys"
        );
        assert!(svg.contains("1月 检查次数：4"));
        assert!(svg.contains(">联合检查</text>"));
        // Counts: the axis runs to 4 in whole steps.
        assert!(svg.contains(">4</text>") && svg.contains(">1</text>"));
        assert!(!svg.contains(">0.5</text>"));
        assert!(!svg.contains("<script"));
    }

    #[test]
    fn lines_break_at_missing_values_and_show_the_target() {
        let mut c = chart(vec![Series {
            name: "减少比例",
            color: "#1f5fa8",
            values: vec![Some(40.0), None, Some(55.5)],
        }]);
        c.suffix = "%";
        c.max = Some(100.0);
        c.target = Some((50.0, "目标 50%"));
        let svg = line_chart(&c);
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("减少比例：55.5%"));
        assert!(svg.contains("目标 50%"));
        assert!(svg.contains(">100%</text>"));
    }

    #[test]
    fn text_is_escaped() {
        let svg = bar_chart(&Chart {
            title: "<b>&",
            categories: vec!["a<b".into()],
            series: vec![],
            suffix: "",
            target: None,
            max: None,
        });
        assert!(svg.contains("&lt;b&gt;&amp;"));
        assert!(!svg.contains("a<b"));
    }

    #[test]
    fn nice_tops() {
        assert_eq!(nice_top(0.0), 1.0);
        assert_eq!(nice_top(4.0), 5.0);
        assert_eq!(nice_top(12.0), 20.0);
        assert_eq!(nice_top(100.0), 100.0);
        assert_eq!(nice_top(101.0), 200.0);
    }
}
