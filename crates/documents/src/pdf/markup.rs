//! The layout as typst source. Everything is emitted as calls of the helpers
//! in `lib.typ` whose text arguments are string literals, so neither the
//! template's words (「1. 凡检查必审批」 would start a list in markup) nor a
//! user's (`#`, `*`, `$`, `[`, `\`, `<`, `@` …) are ever read as markup.

use std::fmt::Write as _;

use crate::layout::{Align, Block, Cell, Doc, Inline, Line, Para, Part, Table, Width};
use crate::seal::seal_svg;

/// Vertical padding of table cells in `lib.typ`, subtracted from a row's
/// least height.
const CELL_INSET_CM: f32 = 0.18 * 2.0;

/// One em of the body text (小四, 12pt) in centimetres.
const CM_PER_EM: f32 = 12.0 * 2.54 / 72.0;

pub fn document(doc: &Doc) -> String {
    let mut out = String::with_capacity(16 * 1024);
    out.push_str("#import \"/lib.typ\": *\n");
    let _ = writeln!(
        out,
        "#show: setup.with(name: {}, voided: {})",
        lit(doc.name),
        doc.voided
    );
    for (i, part) in doc.parts.iter().enumerate() {
        let footer = footer(doc, part);
        // A part with a footer needs room for two lines under the text.
        let margin = if part.footer.is_some() {
            ", margin: (bottom: 3.2cm)"
        } else {
            ""
        };
        let _ = writeln!(out, "#page(footer: {footer}{margin})[");
        if part.loose {
            out.push_str("#set par(spacing: 1.15em)\n");
        }
        if part.one_page {
            out.push_str("#fit-page[\n");
        }
        if i == 0 {
            if let Some(number) = &doc.number {
                let n = number.as_deref().map_or("none".to_owned(), lit);
                let _ = writeln!(out, "#number-line({n})");
            }
        }
        for block in &part.blocks {
            write_block(&mut out, block);
        }
        if part.one_page {
            out.push_str("]\n");
        }
        out.push_str("]\n");
    }
    out
}

fn footer(doc: &Doc, part: &Part) -> String {
    match (&part.footer, doc.page_numbers) {
        (Some(line), _) => format!("footer-lines({})", array(line)),
        (None, true) => "footer-lines(none)".to_owned(),
        (None, false) => "none".to_owned(),
    }
}

fn write_block(out: &mut String, block: &Block) {
    match block {
        Block::Title(t) => {
            let _ = writeln!(out, "#doc-title({})", lit(t));
        }
        Block::Aside(t) => {
            let _ = writeln!(out, "#aside({})", lit(t));
        }
        Block::Subtitle(t) => {
            let _ = writeln!(out, "#subtitle({})", lit(t));
        }
        Block::Heading(t) => {
            let _ = writeln!(out, "#heading-line({})", lit(t));
        }
        Block::Para(p) => {
            let _ = writeln!(out, "#{}", para(p));
        }
        Block::Table(t) => table(out, t),
        Block::Issuer { unit, date, seal } => {
            let date = array(&crate::fields::date_plain(*date));
            let seal = seal
                .as_deref()
                .map_or("none".to_owned(), |s| lit(&seal_svg(s)));
            let _ = writeln!(out, "#issuer({}, {date}, {seal})", lit(unit));
        }
        Block::EndMark => out.push_str("#end-mark()\n"),
        Block::Notes(items) => {
            let items: Vec<String> = items.iter().map(|s| lit(s)).collect();
            let _ = writeln!(out, "#notes(({},))", items.join(", "));
        }
    }
}

fn para(p: &Para) -> String {
    // A left paragraph takes its container's alignment (centred labels).
    let align = match p.align {
        Align::Left => "auto",
        Align::Right => "right",
    };
    let mut s = String::new();
    if p.space_before > 0.0 {
        let _ = write!(s, "v({}em); ", p.space_before);
    }
    let _ = write!(
        s,
        "para({}, indent: {}, align-to: {align})",
        array(&p.line),
        p.indent
    );
    if p.space_before > 0.0 {
        format!("{{{s}}}")
    } else {
        s
    }
}

fn table(out: &mut String, t: &Table) {
    let columns: Vec<String> = t.columns.iter().map(|c| format!("{c}fr")).collect();
    let _ = writeln!(out, "#table(columns: ({},),", columns.join(", "));
    for row in &t.rows {
        for c in &row.cells {
            cell(out, c, row.min_height);
        }
    }
    out.push_str(")\n");
}

fn cell(out: &mut String, c: &Cell, min_height: Option<f32>) {
    let align = match (c.label, c.top) {
        (true, _) => "center + horizon",
        (false, true) => "left + top",
        (false, false) => "left + horizon",
    };
    let mut body: String = c.paras.iter().map(para).collect::<Vec<_>>().join("; ");
    if body.is_empty() {
        body = "[]".to_owned();
    } else {
        body = format!("{{{body}}}");
    }
    // The strut only in cells of this row alone (a cell spanning rows
    // would stretch the rows below as well), and not in labels, which the
    // row centres anyway.
    if let (Some(h), 1, false) = (min_height, c.rowspan, c.label) {
        // In em of the body text (小四: 12pt = 0.4233cm), so that a page
        // fitted to one sheet (`fit-page`) shrinks its rows with its text.
        body = format!(
            "min-height({:.3}em, {}, {body})",
            (h - CELL_INSET_CM).max(0.0) / CM_PER_EM,
            c.top
        );
    }
    let _ = writeln!(
        out,
        "  table.cell(colspan: {}, rowspan: {}, align: {align}, {body}),",
        c.colspan, c.rowspan
    );
}

/// A line as a typst array of strings and content, joined by `para`.
fn array(line: &Line) -> String {
    if line.is_empty() {
        return "(\"\",)".to_owned();
    }
    let items: Vec<String> = line.iter().map(inline).collect();
    // The trailing comma keeps a one-item array an array.
    format!("({},)", items.join(", "))
}

fn inline(i: &Inline) -> String {
    match i {
        Inline::Text(t) => lit(t),
        Inline::Bold(t) => format!("text(weight: \"bold\", {})", lit(t)),
        Inline::Fill { value, width, hint } => {
            if !value.is_empty() {
                return match width {
                    Width::Em(em) if crate::layout::fits(value, *em) => {
                        format!("value-in({}, {em}em)", lit(value))
                    }
                    _ => format!("value({})", lit(value)),
                };
            }
            let line = match width {
                Width::Em(em) => format!("blank({em}em)"),
                Width::Rest => "blank-rest()".to_owned(),
            };
            match hint {
                Some(h) => format!("[#{line}#hint({})]", lit(h)),
                None => line,
            }
        }
        Inline::Check(on) => format!("check({on})"),
        Inline::Gap(em) => format!("h({em}em)"),
        Inline::Seal(unit) => format!("seal({})", lit(&seal_svg(unit))),
    }
}

/// A typst string literal holding `s` exactly.
pub fn lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::lit;

    #[test]
    fn literals_escape_quotes_backslashes_and_controls() {
        assert_eq!(lit(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(lit("x\ny\u{7}"), r#""x\ny\u{7}""#);
        assert_eq!(lit("#*_$[]<@`"), "\"#*_$[]<@`\"");
    }
}
