//! SVG charts as PNG pictures, for documents that cannot hold SVG (Word's older readers,
//! LibreOffice's PDF export): rendered with resvg at twice their size, their text in the system's
//! fonts — a CJK family first, so that Chinese labels are drawn, not boxes. The fonts are read once
//! per process. Reached as `hezuo_report::chart::png`.

use resvg::{tiny_skia, usvg};
use std::sync::{Arc, OnceLock};

/// The families tried for text without a font of its own (and for `sans-serif`), first found first.
const CJK: [&str; 4] = [
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Noto Serif CJK SC",
];

/// How many pixels a chart's unit becomes: twice, so the picture stays sharp when printed.
const SCALE: f32 = 2.0;

fn fonts() -> &'static (Arc<usvg::fontdb::Database>, String) {
    static FONTS: OnceLock<(Arc<usvg::fontdb::Database>, String)> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_system_fonts();
        let family = CJK
            .iter()
            .find(|f| db.faces().any(|face| face.families.iter().any(|(name, _)| name == *f)))
            .unwrap_or(&CJK[0])
            .to_string();
        db.set_sans_serif_family(family.clone());
        db.set_serif_family(family.clone());
        (Arc::new(db), family)
    })
}

/// The chart `svg` as a PNG file (its bytes), at twice its size; None if the SVG cannot be read.
pub fn png(svg: &str) -> Option<Vec<u8>> {
    let (db, family) = fonts();
    let opt = usvg::Options {
        font_family: family.clone(),
        fontdb: db.clone(),
        languages: vec!["zh-CN".into(), "en".into()],
        ..Default::default()
    };
    let tree = usvg::Tree::from_str(svg, &opt).ok()?;
    let size = tree.size();
    let (w, h) = (
        (size.width() * SCALE).ceil() as u32,
        (size.height() * SCALE).ceil() as u32,
    );
    let mut pixmap = tiny_skia::Pixmap::new(w, h)?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(SCALE, SCALE),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().ok()
}

/// A PNG file's width and height in pixels, read from its header.
pub fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    if png.len() < 24 || &png[..8] != b"\x89PNG\r\n\x1a\n" {
        return None;
    }
    let w = u32::from_be_bytes(png[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(png[20..24].try_into().ok()?);
    Some((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_with_chinese_labels_becomes_a_png_twice_its_size() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">
            <rect x="10" y="40" width="50" height="50" fill="#c00000"/>
            <text x="10" y="30" font-size="16">江山市 12个</text></svg>"##;
        let bytes = png(svg).expect("rendered");
        assert_eq!(png_size(&bytes), Some((400, 200)));
        assert!(png("not svg").is_none());
    }
}
