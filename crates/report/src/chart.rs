//! Charts drawn on the server as SVG text: bars, lines, a donut, a funnel and a tile map of the
//! city's counties. No script, no CDN: a page inlines the SVG, a Word document embeds it as an
//! image. Each chart carries its title as `<title>` (its accessible name); the caller shows the
//! same numbers as a table beside it, for screen readers and for copying.

use std::fmt::Write;

pub use crate::raster::png;

/// Chinese first: the fonts LibreOffice, Chromium and Word find on the machines we know.
const FONTS: &str =
    "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC','WenQuanYi Micro Hei',sans-serif";
/// Series colours, in order; readable on white and distinct in grey print.
pub const PALETTE: [&str; 6] = ["#1f5fa8", "#e08a1e", "#2e8b57", "#8e44ad", "#c0392b", "#7f8c8d"];
/// The flag colours the supervision pages use.
pub const RED: &str = "#c0392b";
pub const YELLOW: &str = "#e0b000";
pub const GREEN: &str = "#2e8b57";
const WIDTH: f64 = 640.0;
const INK: &str = "#222";
const GRID: &str = "#ddd";

/// One named row of values, one value per label.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

impl Series {
    pub fn new(name: impl Into<String>, values: Vec<f64>) -> Self {
        Series {
            name: name.into(),
            values,
        }
    }
}

/// One part of a whole (a donut slice): its label, value and colour.
#[derive(Debug, Clone)]
pub struct Slice {
    pub label: String,
    pub value: f64,
    pub color: &'static str,
}

/// A county on the tile map: its GB/T 2260 code, its name and the figure that shades it.
#[derive(Debug, Clone)]
pub struct Tile {
    pub code: String,
    pub label: String,
    pub value: f64,
}

/// `&`, `<`, `>`, `"` and `'` as XML entities.
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

/// A figure as people write it: whole numbers without decimals, others with two.
pub fn figure(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.2}")
    }
}

/// How wide `s` draws at `size` px: a CJK character is about a square, a Latin one about half.
fn text_width(s: &str, size: f64) -> f64 {
    s.chars().map(|c| if c.is_ascii() { 0.58 } else { 1.0 }).sum::<f64>() * size
}

/// The smallest 1, 2 or 5 × 10ⁿ at or above `v` (at least 1): a round top for an axis.
fn nice_max(v: f64) -> f64 {
    if v <= 1.0 {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|t| *t >= v)
        .unwrap_or(10.0 * p)
}

fn open(out: &mut String, title: &str, height: f64) {
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" font-family="{FONTS}" font-size="13" fill="{INK}"><title>{}</title><rect width="{WIDTH}" height="{height}" fill="#fff"/><text x="{}" y="22" text-anchor="middle" font-size="15" font-weight="bold">{}</text>"##,
        escape(title),
        WIDTH / 2.0,
        escape(title)
    );
}

fn text(out: &mut String, x: f64, y: f64, anchor: &str, s: &str) {
    let _ = write!(
        out,
        r#"<text x="{x:.1}" y="{y:.1}" text-anchor="{anchor}">{}</text>"#,
        escape(s)
    );
}

/// A chart with nothing to draw says so, in the chart's own frame.
fn empty(title: &str, note: &str) -> String {
    let mut out = String::new();
    open(&mut out, title, 90.0);
    text(&mut out, WIDTH / 2.0, 60.0, "middle", note);
    out.push_str("</svg>");
    out
}

/// The legend, one swatch per series, on a line under the title; its height (0 for one series).
fn legend(out: &mut String, names: &[&str], y: f64) -> f64 {
    if names.len() < 2 {
        return 0.0;
    }
    let mut x = 20.0;
    for (i, n) in names.iter().enumerate() {
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="{:.1}" width="12" height="12" fill="{}"/>"#,
            y - 10.0,
            PALETTE[i % PALETTE.len()]
        );
        text(out, x + 16.0, y, "start", n);
        x += 32.0 + text_width(n, 13.0);
    }
    22.0
}

/// Horizontal bars, one group per label and one bar per series, each with its value at its end.
/// `empty_note` shows instead when every value is 0.
pub fn bars(title: &str, labels: &[String], series: &[Series], empty_note: &str) -> String {
    let max = series.iter().flat_map(|s| s.values.iter().copied()).fold(0.0, f64::max);
    if labels.is_empty() || series.is_empty() || max <= 0.0 {
        return empty(title, empty_note);
    }
    let bar = 16.0;
    let group = bar * series.len() as f64 + 10.0;
    let left = labels.iter().map(|l| text_width(l, 13.0)).fold(40.0, f64::max) + 24.0;
    let right = 70.0;
    let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
    let mut body = String::new();
    let top = 40.0 + legend(&mut body, &names, 46.0);
    let height = top + group * labels.len() as f64 + 12.0;
    let scale = (WIDTH - left - right) / max;
    for (i, label) in labels.iter().enumerate() {
        let y0 = top + group * i as f64;
        text(&mut body, left - 8.0, y0 + group / 2.0, "end", label);
        for (k, s) in series.iter().enumerate() {
            let v = s.values.get(i).copied().unwrap_or(0.0);
            let y = y0 + bar * k as f64;
            let w = (v.max(0.0) * scale).max(if v > 0.0 { 1.0 } else { 0.0 });
            let _ = write!(
                body,
                r#"<rect x="{left:.1}" y="{y:.1}" width="{w:.1}" height="{:.1}" fill="{}"><title>{}：{}</title></rect>"#,
                bar - 2.0,
                PALETTE[k % PALETTE.len()],
                escape(&format!("{label} {}", s.name)),
                figure(v)
            );
            text(&mut body, left + w + 4.0, y + bar - 4.0, "start", &figure(v));
        }
    }
    let mut out = String::new();
    open(&mut out, title, height);
    let _ = write!(
        out,
        r#"<line x1="{left:.1}" y1="{:.1}" x2="{left:.1}" y2="{:.1}" stroke="{INK}"/>"#,
        top - 4.0,
        height - 10.0
    );
    out.push_str(&body);
    out.push_str("</svg>");
    out
}

/// Lines over `labels` (years, say), one per series, with a dot and the value at each point.
pub fn lines(title: &str, labels: &[String], series: &[Series], empty_note: &str) -> String {
    let max = series.iter().flat_map(|s| s.values.iter().copied()).fold(0.0, f64::max);
    if labels.is_empty() || series.is_empty() || max <= 0.0 {
        return empty(title, empty_note);
    }
    let top_value = nice_max(max);
    let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
    let mut body = String::new();
    let top = 50.0 + legend(&mut body, &names, 46.0);
    let (left, right, plot_h) = (60.0, 30.0, 200.0);
    let height = top + plot_h + 40.0;
    let bottom = top + plot_h;
    // The first and last points sit in from the axes, so their values clear the axis labels.
    let inset = 36.0;
    let step = if labels.len() > 1 {
        (WIDTH - left - right - 2.0 * inset) / (labels.len() - 1) as f64
    } else {
        0.0
    };
    let x_of = |i: usize| {
        if labels.len() > 1 {
            left + inset + step * i as f64
        } else {
            (left + WIDTH - right) / 2.0
        }
    };
    // Round steps: a top of 5×10ⁿ in fives (10, 20 … 50), 2×10ⁿ in fours, 1×10ⁿ in fives.
    let lead = top_value / 10f64.powf(top_value.log10().floor());
    let steps = if (lead - 2.0).abs() < 1e-9 { 4 } else { 5 };
    for g in 0..=steps {
        let v = top_value * g as f64 / steps as f64;
        let y = bottom - plot_h * g as f64 / steps as f64;
        let _ = write!(
            body,
            r#"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{GRID}"/>"#,
            WIDTH - right
        );
        text(&mut body, left - 6.0, y + 4.0, "end", &figure(v));
    }
    for (i, l) in labels.iter().enumerate() {
        text(&mut body, x_of(i), bottom + 20.0, "middle", l);
    }
    for (k, s) in series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let points: Vec<(f64, f64)> = (0..labels.len())
            .map(|i| {
                let v = s.values.get(i).copied().unwrap_or(0.0).max(0.0);
                (x_of(i), bottom - plot_h * v / top_value)
            })
            .collect();
        let path: Vec<String> = points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let _ = write!(
            body,
            r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2.5"/>"#,
            path.join(" ")
        );
        for (i, (x, y)) in points.iter().enumerate() {
            let v = s.values.get(i).copied().unwrap_or(0.0);
            let _ = write!(
                body,
                r#"<circle cx="{x:.1}" cy="{y:.1}" r="3.5" fill="{color}"><title>{}：{}</title></circle>"#,
                escape(&format!("{} {}", labels[i], s.name)),
                figure(v)
            );
            text(&mut body, *x, y - 8.0, "middle", &figure(v));
        }
    }
    let mut out = String::new();
    open(&mut out, title, height);
    out.push_str(&body);
    out.push_str("</svg>");
    out
}

/// A ring cut into slices by share, with a legend giving each slice's value and percentage.
pub fn donut(title: &str, slices: &[Slice], empty_note: &str) -> String {
    let total: f64 = slices.iter().map(|s| s.value.max(0.0)).sum();
    if total <= 0.0 {
        return empty(title, empty_note);
    }
    let (r, width) = (80.0, 34.0);
    let height = (60.0 + 26.0 * slices.len() as f64).max(40.0 + 2.0 * r + width + 16.0);
    let (cx, cy) = (150.0, 40.0 + (height - 40.0) / 2.0);
    let mut out = String::new();
    open(&mut out, title, height);
    let mut angle = -std::f64::consts::FRAC_PI_2;
    for s in slices.iter().filter(|s| s.value > 0.0) {
        let share = s.value / total;
        let tip = escape(&format!("{}：{}（{:.1}%）", s.label, figure(s.value), share * 100.0));
        if share >= 0.9999 {
            let _ = write!(
                out,
                r#"<circle cx="{cx}" cy="{cy:.1}" r="{r}" fill="none" stroke="{}" stroke-width="{width}"><title>{tip}</title></circle>"#,
                s.color
            );
            continue;
        }
        let end = angle + share * std::f64::consts::TAU;
        let (x1, y1) = (cx + r * angle.cos(), cy + r * angle.sin());
        let (x2, y2) = (cx + r * end.cos(), cy + r * end.sin());
        let large = if share > 0.5 { 1 } else { 0 };
        let _ = write!(
            out,
            r#"<path d="M{x1:.2},{y1:.2} A{r},{r} 0 {large} 1 {x2:.2},{y2:.2}" fill="none" stroke="{}" stroke-width="{width}"><title>{tip}</title></path>"#,
            s.color
        );
        angle = end;
    }
    let _ = write!(
        out,
        r#"<text x="{cx}" y="{:.1}" text-anchor="middle" font-size="20" font-weight="bold">{}</text>"#,
        cy + 7.0,
        figure(total)
    );
    for (i, s) in slices.iter().enumerate() {
        let y = 60.0 + 26.0 * i as f64;
        let _ = write!(
            out,
            r#"<rect x="290" y="{:.1}" width="14" height="14" fill="{}"/>"#,
            y - 12.0,
            s.color
        );
        text(
            &mut out,
            312.0,
            y,
            "start",
            &format!(
                "{}　{}（{:.1}%）",
                s.label,
                figure(s.value),
                s.value.max(0.0) / total * 100.0
            ),
        );
    }
    out.push_str("</svg>");
    out
}

/// Steps of a process, first step widest, each bar as wide as its count's share of the first
/// step's, with the count and the share written on it.
pub fn funnel(title: &str, steps: &[(String, f64)], empty_note: &str) -> String {
    let first = steps.first().map_or(0.0, |s| s.1);
    let max = steps.iter().map(|s| s.1).fold(0.0, f64::max);
    if steps.is_empty() || max <= 0.0 {
        return empty(title, empty_note);
    }
    let row = 34.0;
    let left = steps.iter().map(|s| text_width(&s.0, 13.0)).fold(40.0, f64::max) + 24.0;
    let plot = WIDTH - left - 20.0;
    let height = 44.0 + row * steps.len() as f64;
    let mut out = String::new();
    open(&mut out, title, height);
    for (i, (label, v)) in steps.iter().enumerate() {
        let y = 40.0 + row * i as f64;
        let w = (plot * v.max(0.0) / max).max(2.0);
        let x = left + (plot - w) / 2.0;
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{:.1}" fill="{}" opacity="{:.2}"><title>{}：{}</title></rect>"#,
            row - 6.0,
            PALETTE[0],
            1.0 - 0.1 * (i as f64).min(5.0),
            escape(label),
            figure(*v)
        );
        text(&mut out, left - 8.0, y + row / 2.0, "end", label);
        let share = if first > 0.0 {
            format!("{}（{:.0}%）", figure(*v), v / first * 100.0)
        } else {
            figure(*v)
        };
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{}">{}</text>"##,
            left + plot / 2.0,
            y + row / 2.0,
            if w > text_width(&share, 13.0) + 8.0 {
                "#fff"
            } else {
                INK
            },
            escape(&share)
        );
    }
    out.push_str("</svg>");
    out
}

/// Where each of Quzhou's counties sits on a tile map: (column, row), roughly as on a real map.
const QUZHOU_TILES: [(&str, u32, u32); 7] = [
    ("330824", 0, 0), // 开化县
    ("330822", 0, 1), // 常山县
    ("330802", 1, 1), // 柯城区
    ("330803", 2, 1), // 衢江区
    ("330825", 3, 1), // 龙游县
    ("330881", 1, 2), // 江山市
    ("330800", 3, 0), // 市本级
];

/// Tiles in their places: the known counties where [`QUZHOU_TILES`] puts them, the others in rows
/// of four under them, in code order.
fn place(tiles: &[Tile]) -> Vec<(u32, u32)> {
    let known: Vec<Option<(u32, u32)>> = tiles
        .iter()
        .map(|t| QUZHOU_TILES.iter().find(|q| q.0 == t.code).map(|q| (q.1, q.2)))
        .collect();
    let below = known.iter().flatten().map(|p| p.1 + 1).max().unwrap_or(0);
    let mut next = 0;
    known
        .into_iter()
        .map(|k| {
            k.unwrap_or_else(|| {
                let p = (next % 4, below + next / 4);
                next += 1;
                p
            })
        })
        .collect()
}

/// The city's counties as equal squares placed like the map, each shaded by its value (darker is
/// more) with its name and value written on it, and a scale from the least to the most.
pub fn tile_map(title: &str, tiles: &[Tile], empty_note: &str) -> String {
    if tiles.is_empty() {
        return empty(title, empty_note);
    }
    let max = tiles.iter().map(|t| t.value).fold(0.0, f64::max);
    let places = place(tiles);
    let cols = places.iter().map(|p| p.0).max().unwrap_or(0) + 1;
    let rows = places.iter().map(|p| p.1).max().unwrap_or(0) + 1;
    let size = 96.0;
    let x0 = (WIDTH - size * cols as f64) / 2.0;
    let height = 40.0 + size * rows as f64 + 50.0;
    let mut out = String::new();
    open(&mut out, title, height);
    for (t, (c, r)) in tiles.iter().zip(&places) {
        let share = if max > 0.0 { t.value.max(0.0) / max } else { 0.0 };
        let (x, y) = (x0 + size * *c as f64, 40.0 + size * *r as f64);
        let fill = shade(share);
        let ink = if share > 0.55 { "#fff" } else { INK };
        let _ = write!(
            out,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="6" fill="{fill}" stroke="#fff" stroke-width="2" data-code="{}"><title>{}：{}</title></rect>"##,
            x + 2.0,
            y + 2.0,
            size - 4.0,
            size - 4.0,
            escape(&t.code),
            escape(&t.label),
            figure(t.value)
        );
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{ink}">{}</text><text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{ink}" font-size="18" font-weight="bold">{}</text>"#,
            x + size / 2.0,
            y + size / 2.0 - 6.0,
            escape(&t.label),
            x + size / 2.0,
            y + size / 2.0 + 18.0,
            figure(t.value)
        );
    }
    // The scale: five steps from none to the most.
    let y = height - 30.0;
    for i in 0..5 {
        let _ = write!(
            out,
            r#"<rect x="{:.1}" y="{y:.1}" width="30" height="12" fill="{}"/>"#,
            WIDTH / 2.0 - 75.0 + 30.0 * i as f64,
            shade(i as f64 / 4.0)
        );
    }
    text(&mut out, WIDTH / 2.0 - 82.0, y + 11.0, "end", "0");
    text(&mut out, WIDTH / 2.0 + 82.0, y + 11.0, "start", &figure(max));
    out.push_str("</svg>");
    out
}

/// A blue from pale (0) to deep (1).
fn shade(share: f64) -> String {
    let s = share.clamp(0.0, 1.0);
    let mix = |pale: f64, deep: f64| (pale + (deep - pale) * s).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(235.0, 20.0),
        mix(242.0, 70.0),
        mix(250.0, 140.0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn bars_write_each_label_and_value_and_escape_text() {
        let svg = bars(
            "按区县<项目>",
            &labels(&["江山市", "龙游县"]),
            &[Series::new("项目数", vec![12.0, 3.0])],
            "暂无数据",
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title>按区县&lt;项目&gt;</title>"));
        assert!(svg.contains(">江山市</text>") && svg.contains(">12</text>") && svg.contains(">3</text>"));
        // The longer bar is the larger value's.
        let widths: Vec<f64> = svg
            .match_indices(r##"height="14.0" fill="#1f5fa8""##)
            .map(|(i, _)| {
                let before = &svg[..i];
                let w = before.rfind("width=\"").unwrap();
                before[w + 7..].split('"').next().unwrap().parse().unwrap()
            })
            .collect();
        assert_eq!(widths.len(), 2);
        assert!(widths[0] > 3.5 * widths[1], "{widths:?}");
    }

    #[test]
    fn nothing_to_draw_says_so() {
        let svg = lines(
            "历年项目",
            &labels(&["2025", "2026"]),
            &[Series::new("项目数", vec![0.0, 0.0])],
            "暂无数据",
        );
        assert!(svg.contains(">暂无数据</text>"));
        assert!(donut("旗帜", &[], "暂无项目").contains("暂无项目"));
        assert!(funnel("漏斗", &[], "暂无需求").contains("暂无需求"));
    }

    #[test]
    fn donut_and_funnel_give_shares() {
        let svg = donut(
            "督查旗帜",
            &[
                Slice {
                    label: "红旗".into(),
                    value: 1.0,
                    color: RED,
                },
                Slice {
                    label: "黄旗".into(),
                    value: 1.0,
                    color: YELLOW,
                },
                Slice {
                    label: "绿旗".into(),
                    value: 2.0,
                    color: GREEN,
                },
            ],
            "",
        );
        assert!(svg.contains("绿旗　2（50.0%）") && svg.contains("红旗　1（25.0%）"));
        let f = funnel("需求漏斗", &[("提出".into(), 10.0), ("对接".into(), 4.0)], "");
        assert!(f.contains("4（40%）") && f.contains("10（100%）"));
    }

    #[test]
    fn tile_map_places_known_counties_and_shades_the_most_darkest() {
        let svg = tile_map(
            "各区县项目数",
            &[
                Tile {
                    code: "330881".into(),
                    label: "江山市".into(),
                    value: 8.0,
                },
                Tile {
                    code: "330825".into(),
                    label: "龙游县".into(),
                    value: 2.0,
                },
                Tile {
                    code: "330100".into(),
                    label: "杭州市".into(),
                    value: 0.0,
                },
            ],
            "",
        );
        assert!(svg.contains(r#"data-code="330881""#) && svg.contains("杭州市"));
        assert!(svg.contains(&format!(r#"fill="{}""#, shade(1.0))));
        assert_eq!(
            place(&[Tile {
                code: "330881".into(),
                label: String::new(),
                value: 0.0
            }]),
            vec![(1, 2)]
        );
        assert_eq!(nice_max(37.0), 50.0);
        assert_eq!(nice_max(101.0), 200.0);
    }
}
