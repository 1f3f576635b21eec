//! The unit's electronic seal and the 作废 mark, drawn by code as SVG (for
//! HTML and, through typst, PDF) and rasterised to PNG for Word, which has no
//! portable SVG support.

use std::f64::consts::PI;
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use resvg::tiny_skia;
use resvg::usvg::{self, fontdb};

use crate::pdf::fonts::{BOLD, FAMILY, REGULAR};
use crate::RenderError;

/// The red of seals (朱红).
pub const SEAL_RED: &str = "#d81e06";

/// The font families the seal asks for: the vendored font first, then the
/// usual Chinese serif fonts of a browser's machine.
const FAMILIES: &str = "'Noto Serif SC', 'Noto Serif CJK SC', 'Source Han Serif SC', SimSun, serif";

/// The round seal of `unit_name`: a ring, the name along the upper arc, a
/// five-pointed star in the centre. A 200 × 200 SVG; print it 4.2 cm wide
/// (the size of an official seal).
pub fn seal_svg(unit_name: &str) -> String {
    let chars: Vec<char> = unit_name.chars().filter(|c| !c.is_whitespace()).collect();
    let n = chars.len().max(1) as f64;
    // The name spans a wider arc the longer it is, up to 250° like a real
    // seal, and its characters shrink to fit; they are drawn narrow (scaled
    // to 80 % of their width) as seal engravers do.
    let span = (n * 24.0).clamp(90.0, 250.0);
    let step = span / n;
    let ring = 92.0;
    let size = (step.to_radians() * 60.0 / 0.8).clamp(14.0, 28.0);
    let baseline = ring - 6.0 - 0.86 * size;

    let mut svg = String::with_capacity(4096);
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="200" height="200"><g fill="{SEAL_RED}" stroke="none" opacity="0.88"><circle cx="100" cy="100" r="{ring}" fill="none" stroke="{SEAL_RED}" stroke-width="5"/>"#
    );
    for (i, c) in chars.iter().enumerate() {
        let angle = -span / 2.0 + step * (i as f64 + 0.5);
        let _ = write!(
            svg,
            r#"<text transform="translate(100 100) rotate({angle:.2}) translate(0 {y:.2}) scale(0.8 1)" font-family="{FAMILIES}" font-weight="bold" font-size="{size:.2}" text-anchor="middle">{ch}</text>"#,
            y = -baseline,
            ch = escape_xml(&c.to_string()),
        );
    }
    let _ = write!(
        svg,
        r#"<polygon points="{}"/></g></svg>"#,
        star_points(100.0, 100.0, 30.0)
    );
    svg
}

/// The ten corners of a five-pointed star, point up.
fn star_points(cx: f64, cy: f64, outer: f64) -> String {
    // Inner radius of a regular star: outer · sin 18° / sin 126°.
    let inner = outer * (18f64.to_radians().sin() / 126f64.to_radians().sin());
    (0..10)
        .map(|k| {
            let r = if k % 2 == 0 { outer } else { inner };
            let a = -PI / 2.0 + k as f64 * PI / 5.0;
            format!("{:.2},{:.2}", cx + r * a.cos(), cy + r * a.sin())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The 作废 mark: the word in a double frame, tilted, in the seal's red.
pub fn void_svg() -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" width="400" height="400"><g transform="rotate(-30 200 200)" opacity="0.8"><rect x="40" y="130" width="320" height="140" rx="10" fill="none" stroke="{SEAL_RED}" stroke-width="8"/><rect x="52" y="142" width="296" height="116" rx="6" fill="none" stroke="{SEAL_RED}" stroke-width="3"/><text x="200" y="237" font-family="{FAMILIES}" font-weight="bold" font-size="96" letter-spacing="24" text-anchor="middle" fill="{SEAL_RED}">作废</text></g></svg>"#
    )
}

pub fn escape_xml(s: &str) -> String {
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

/// An SVG as a PNG `px` pixels square, its text set in the vendored font.
pub fn png(svg: &str, px: u32) -> Result<Vec<u8>, RenderError> {
    let options = usvg::Options {
        fontdb: font_database(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| RenderError::Seal(e.to_string()))?;
    let mut pixmap =
        tiny_skia::Pixmap::new(px, px).ok_or_else(|| RenderError::Seal("图片尺寸无效".into()))?;
    let scale = px as f32 / tree.size().width();
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| RenderError::Seal(e.to_string()))
}

/// The vendored fonts, loaded once: the PNG must look the same on every
/// machine, so no system font is consulted.
fn font_database() -> Arc<fontdb::Database> {
    static DB: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = fontdb::Database::new();
        for data in [REGULAR, BOLD] {
            db.load_font_source(fontdb::Source::Binary(Arc::new(data)));
        }
        db.set_serif_family(FAMILY);
        Arc::new(db)
    })
    .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seal_escapes_the_name_and_draws_every_character() {
        let svg = seal_svg("唐山市<生态>环境局");
        assert!(svg.contains("&lt;") && !svg.contains("<生"));
        assert_eq!(svg.matches("<text").count(), 10);
        assert!(svg.contains("<polygon"));
    }

    #[test]
    fn the_seal_rasterises_with_its_text() {
        let with_name = png(&seal_svg("唐山市生态环境局玉田县分局"), 200).unwrap();
        let without = png(&seal_svg(""), 200).unwrap();
        assert!(with_name.starts_with(b"\x89PNG"));
        // The name's glyphs add ink, so the picture differs from a bare ring.
        assert_ne!(with_name, without);
    }
}
