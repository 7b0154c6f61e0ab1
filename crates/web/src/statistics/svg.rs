//! Stand-in for `hezuo_report::chart` until the lead's module is merged into this branch: the same
//! functions and types (bars, lines, donut, funnel, tile_map), plain drawings, each with its
//! `<title>`. The dashboard shows every chart's numbers in a table as well.

pub const PALETTE: [&str; 6] = ["#1f5fa8", "#e08a1e", "#2e8b57", "#8e44ad", "#c0392b", "#7f8c8d"];
pub const RED: &str = "#c0392b";
pub const YELLOW: &str = "#e0b000";
pub const GREEN: &str = "#2e8b57";

#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

impl Series {
    pub fn new(name: impl Into<String>, values: Vec<f64>) -> Self {
        Series { name: name.into(), values }
    }
}

#[derive(Debug, Clone)]
pub struct Slice {
    pub label: String,
    pub value: f64,
    pub color: &'static str,
}

#[derive(Debug, Clone)]
pub struct Tile {
    pub code: String,
    pub label: String,
    pub value: f64,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.2}") }
}

fn open(title: &str, w: u32, h: u32) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" class=\"chart\" \
         font-family=\"'Noto Sans CJK SC','Microsoft YaHei',sans-serif\" font-size=\"12\"><title>{}</title>",
        esc(title)
    )
}

fn empty(title: &str, note: &str) -> String {
    format!("{}<text x=\"10\" y=\"24\">{}</text></svg>", open(title, 480, 40), esc(note))
}

/// Horizontal bars: a group of bars per label, one per series.
pub fn bars(title: &str, labels: &[String], series: &[Series], empty_note: &str) -> String {
    if labels.is_empty() {
        return empty(title, empty_note);
    }
    let n = series.len().max(1) as u32;
    let h = (20 * n + 8) * labels.len() as u32 + 30;
    let max = series.iter().flat_map(|s| s.values.iter().copied()).fold(0.0, f64::max).max(1.0);
    let mut s = open(title, 480, h);
    for (i, l) in labels.iter().enumerate() {
        let y0 = 5 + (20 * n + 8) * i as u32;
        s.push_str(&format!("<text x=\"150\" y=\"{}\" text-anchor=\"end\">{}</text>", y0 + 14, esc(l)));
        for (k, se) in series.iter().enumerate() {
            let v = se.values.get(i).copied().unwrap_or(0.0);
            let y = y0 + 20 * k as u32;
            let w = (v / max * 260.0).round();
            s.push_str(&format!(
                "<rect x=\"158\" y=\"{y}\" width=\"{w}\" height=\"16\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>",
                PALETTE[k % PALETTE.len()], 162.0 + w, y + 13, num(v)
            ));
        }
    }
    for (k, se) in series.iter().enumerate() {
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" fill=\"{}\">{}</text>",
            10 + 150 * k, h - 8, PALETTE[k % PALETTE.len()], esc(&se.name)
        ));
    }
    s.push_str("</svg>");
    s
}

/// Lines over the labels, one per series.
pub fn lines(title: &str, labels: &[String], series: &[Series], empty_note: &str) -> String {
    if labels.is_empty() {
        return empty(title, empty_note);
    }
    let max = series.iter().flat_map(|s| s.values.iter().copied()).fold(0.0, f64::max).max(1.0);
    let step = if labels.len() > 1 { 400.0 / (labels.len() - 1) as f64 } else { 0.0 };
    let mut s = open(title, 480, 220);
    for (i, x) in labels.iter().enumerate() {
        s.push_str(&format!("<text x=\"{}\" y=\"210\" text-anchor=\"middle\">{}</text>", 40.0 + step * i as f64, esc(x)));
    }
    for (k, se) in series.iter().enumerate() {
        let c = PALETTE[k % PALETTE.len()];
        let pts: Vec<String> = se
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", 40.0 + step * i as f64, 190.0 - v / max * 160.0))
            .collect();
        s.push_str(&format!("<polyline fill=\"none\" stroke=\"{c}\" stroke-width=\"2\" points=\"{}\"/>", pts.join(" ")));
        s.push_str(&format!("<text x=\"{}\" y=\"14\" fill=\"{c}\">{}</text>", 10 + 150 * k, esc(&se.name)));
    }
    s.push_str("</svg>");
    s
}

/// Parts of a whole, drawn as one stacked bar.
pub fn donut(title: &str, slices: &[Slice], empty_note: &str) -> String {
    let total: f64 = slices.iter().map(|p| p.value).sum();
    if total <= 0.0 {
        return empty(title, empty_note);
    }
    let mut s = open(title, 480, 70);
    let mut x = 10.0;
    for (i, p) in slices.iter().enumerate() {
        let w = p.value / total * 460.0;
        s.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"10\" width=\"{w:.1}\" height=\"24\" fill=\"{}\"/><text x=\"{:.1}\" y=\"54\">{} {}</text>",
            p.color, 10.0 + 150.0 * i as f64, esc(&p.label), num(p.value)
        ));
        x += w;
    }
    s.push_str("</svg>");
    s
}

/// Steps narrowing down, first step first.
pub fn funnel(title: &str, steps: &[(String, f64)], empty_note: &str) -> String {
    if steps.iter().all(|s| s.1 <= 0.0) {
        return empty(title, empty_note);
    }
    let labels: Vec<String> = steps.iter().map(|s| s.0.clone()).collect();
    bars(title, &labels, &[Series::new("", steps.iter().map(|s| s.1).collect())], empty_note)
}

const QUZHOU_TILES: [(&str, u32, u32); 7] = [
    ("330824", 0, 0),
    ("330822", 0, 1),
    ("330802", 1, 1),
    ("330803", 2, 1),
    ("330825", 3, 1),
    ("330881", 1, 2),
    ("330800", 3, 0),
];

/// Counties as tiles placed roughly as on the map (衢州; others in rows of four), darker for more.
pub fn tile_map(title: &str, tiles: &[Tile], empty_note: &str) -> String {
    if tiles.is_empty() {
        return empty(title, empty_note);
    }
    let mut next = 0;
    let places: Vec<(u32, u32)> = tiles
        .iter()
        .map(|t| {
            QUZHOU_TILES.iter().find(|q| q.0 == t.code).map(|q| (q.1, q.2)).unwrap_or_else(|| {
                let p = (next % 4, 3 + next / 4);
                next += 1;
                p
            })
        })
        .collect();
    let max = tiles.iter().map(|t| t.value).fold(0.0, f64::max).max(1.0);
    let cols = places.iter().map(|p| p.0).max().unwrap_or(0) + 1;
    let rows = places.iter().map(|p| p.1).max().unwrap_or(0) + 1;
    let mut s = open(title, cols * 110 + 10, rows * 70 + 10);
    for (t, (c, r)) in tiles.iter().zip(&places) {
        let shade = 0.15 + 0.85 * t.value / max;
        s.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"100\" height=\"60\" rx=\"6\" fill=\"#1f5fa8\" fill-opacity=\"{shade:.2}\" data-code=\"{}\"><title>{}：{}</title></rect>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            10 + c * 110, 10 + r * 70, esc(&t.code), esc(&t.label), num(t.value),
            60 + c * 110, 35 + r * 70, esc(&t.label), 60 + c * 110, 52 + r * 70, num(t.value)
        ));
    }
    s.push_str("</svg>");
    s
}
