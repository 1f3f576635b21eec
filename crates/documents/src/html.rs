//! The layout as one self-contained HTML page: inline CSS, A4 `.page`s on
//! screen, `@page` rules for printing. The 笔录's page footers use CSS page
//! margin boxes (第 N 页 共 M 页 from the `page`/`pages` counters) when
//! printed; on screen each sheet shows the paper form's blank footer.

use std::fmt::Write as _;

use crate::fields::date_plain;
use crate::layout::{Align, Block, Cell, Doc, Inline, Line, Para, Table, Width};
use crate::seal::seal_svg;

const CSS: &str = r#"
:root { --red: #d81e06; }
* { box-sizing: border-box; }
html { background: #e8e8e8; }
body { margin: 0; padding: 12px 0; color: #000;
  font-family: "FangSong_GB2312", "仿宋_GB2312", "FangSong", "仿宋", "STFangsong", "Noto Serif SC", "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", serif;
  font-size: 12pt; line-height: 1.45; }
.page { position: relative; width: 210mm; min-height: 297mm; margin: 0 auto 12px; padding: 25mm 24mm 25mm 26mm;
  background: #fff; box-shadow: 0 1px 4px rgba(0,0,0,.25); overflow: hidden; }
.page.footed { padding-bottom: 32mm; }
p { margin: 0 0 .12em; text-align: justify; }
p.indent { text-indent: 2em; }
.loose p { margin-bottom: .5em; }
p.right { text-align: right; }
p.center { text-align: center; }
h1, h2, .aside { text-align: center; font-family: "方正小标宋简体", "FZXiaoBiaoSong-B05S", "华文中宋", "STZhongsong", "Noto Serif SC", "Noto Serif CJK SC", "SimSun", serif; }
h1 { font-size: 22pt; font-weight: bold; margin: .3em 0 .6em; letter-spacing: .05em; }
h2 { font-size: 16pt; font-weight: bold; margin: .8em 0 .5em; }
.aside { font-size: 14pt; margin: -.4em 0 .6em; }
h3 { font-size: 12pt; font-weight: bold; margin: .35em 0 .1em; }
.number { text-align: right; }
.fill { display: inline-block; border-bottom: .5pt solid #000; text-align: center; text-indent: 0; min-height: 1.2em; line-height: 1.2; vertical-align: baseline; }
.fill.rest { min-width: 14em; }
.val { text-decoration: underline; text-decoration-thickness: .5pt; text-underline-offset: .2em; padding: 0 .2em; }
.gap { display: inline-block; }
.check { font-family: "Segoe UI Symbol", "DejaVu Sans", "Noto Sans Symbols 2", sans-serif; }
table.grid { width: 100%; border-collapse: collapse; table-layout: fixed; margin: .2em 0; }
table.grid td { border: .5pt solid #000; padding: 3px 6px; vertical-align: middle; line-height: 1.3; }
table.grid td.label { text-align: center; }
table.grid td.label p { text-align: center; }
table.grid td.top { vertical-align: top; }
table.grid p { margin: 0 0 .15em; }
.issuer { display: flex; justify-content: flex-end; margin: 1em 0; }
.issuer-box { position: relative; width: 14em; text-align: center; }
.issuer-box p { text-align: center; margin: 0 0 .2em; }
.issuer-box svg, .seal svg { position: absolute; width: 42mm; height: 42mm; mix-blend-mode: multiply; pointer-events: none; }
.issuer-box svg { left: 50%; top: 50%; transform: translate(-50%, -50%); }
.seal { position: relative; display: inline-block; width: 0; height: 0; }
.seal svg { left: 3.4em; top: -.4em; transform: translate(-50%, -50%); }
.end { text-align: center; margin: .5em 0; }
.notes { margin-top: 1.4em; font-size: 10.5pt; line-height: 1.45; }
.notes p { padding-left: 1.1em; text-indent: -1.1em; margin: 0 0 .15em; }
.page-foot { position: absolute; left: 26mm; right: 24mm; bottom: 14mm; font-size: 10.5pt; }
.page-foot p { margin: 0 0 .3em; }
.void { position: absolute; left: 50%; top: 50%; transform: translate(-50%, -50%) rotate(-30deg);
  border: 5pt solid var(--red); border-radius: 10pt; padding: 0 28pt; color: var(--red); opacity: .8;
  font-size: 110pt; font-weight: bold; letter-spacing: .25em; line-height: 1.3; white-space: nowrap; pointer-events: none; z-index: 2; }
@media print {
  html, body { background: none; padding: 0; }
  body { line-height: 1.28; }
  .notes { line-height: 1.25; margin-top: .8em; }
  .issuer { margin: .5em 0; }
  h1 { margin: 0 0 .4em; }
  .page { width: auto; min-height: 0; margin: 0; padding: 0; box-shadow: none; overflow: visible; break-after: page; }
  .page:last-child { break-after: auto; }
  .page-foot { display: none; }
  .void { position: fixed; }
}
"#;

pub fn render(doc: &Doc) -> String {
    let mut out = String::with_capacity(32 * 1024);
    let title = match doc.number.as_ref() {
        Some(Some(n)) => format!("{} {}", doc.name, n),
        _ => doc.name.to_owned(),
    };
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}{}</style>\n</head>\n<body>\n",
        escape(&title),
        page_rules(doc)
    );
    for (i, part) in doc.parts.iter().enumerate() {
        let footed = part.footer.is_some() || doc.page_numbers;
        let _ = writeln!(
            out,
            "<div class=\"page{}{}\" style=\"page: part{i}\">",
            if footed { " footed" } else { "" },
            if part.loose { " loose" } else { "" }
        );
        if doc.voided {
            out.push_str("<div class=\"void\" aria-label=\"作废\">作废</div>\n");
        }
        if i == 0 {
            if let Some(number) = &doc.number {
                out.push_str("<p class=\"number\">编号：");
                match number {
                    Some(n) => out.push_str(&escape(n)),
                    None => out.push_str("<span class=\"fill\" style=\"width:12em\"></span>"),
                }
                out.push_str("</p>\n");
            }
        }
        for block in &part.blocks {
            write_block(&mut out, block);
        }
        if footed {
            // On screen, the paper form's footer with its blanks; printing
            // replaces it with the page margin boxes below.
            out.push_str("<div class=\"page-foot\">");
            if let Some(line) = &part.footer {
                let _ = write!(out, "<p>{}</p>", line_html(line));
            }
            out.push_str("<p class=\"center\">第<span class=\"fill\" style=\"width:2em\"></span>页 共<span class=\"fill\" style=\"width:2em\"></span>页</p></div>\n");
        }
        out.push_str("</div>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// `@page` rules: A4 with the documents' margins, and for the 笔录 each
/// part's footer (signature line, 第 N 页 共 M 页) in the bottom margin box.
fn page_rules(doc: &Doc) -> String {
    let mut css = String::from("@page { size: A4; margin: 25mm 24mm 25mm 26mm; }\n");
    for (i, part) in doc.parts.iter().enumerate() {
        if part.footer.is_none() && !doc.page_numbers {
            continue;
        }
        // `\A` is a line break in CSS `content` (with `white-space: pre`).
        let signatures = part
            .footer
            .as_ref()
            .map(|l| css_string(&plain_text(l)) + "\\A")
            .unwrap_or_default();
        let _ = writeln!(
            css,
            "@page part{i} {{ margin-bottom: 32mm; @bottom-center {{ content: \"{}第 \" counter(page) \" 页 共 \" counter(pages) \" 页\"; white-space: pre; font-size: 10.5pt; }} }}",
            signatures
        );
    }
    css
}

fn write_block(out: &mut String, block: &Block) {
    match block {
        Block::Title(t) => {
            let _ = writeln!(out, "<h1>{}</h1>", escape(t));
        }
        Block::Aside(t) => {
            let _ = writeln!(out, "<p class=\"aside\">{}</p>", escape(t));
        }
        Block::Subtitle(t) => {
            let _ = writeln!(out, "<h2>{}</h2>", escape(t));
        }
        Block::Heading(t) => {
            let _ = writeln!(out, "<h3>{}</h3>", escape(t));
        }
        Block::Para(p) => {
            out.push_str(&para(p));
            out.push('\n');
        }
        Block::Table(t) => table(out, t),
        Block::Issuer { unit, date, seal } => {
            out.push_str("<div class=\"issuer\"><div class=\"issuer-box\">");
            let unit = if unit.is_empty() {
                "行政执法主体"
            } else {
                unit
            };
            let _ = write!(
                out,
                "<p>{}</p><p>（印章）</p><p>{}</p>",
                escape(unit),
                line_html(&date_plain(*date))
            );
            if let Some(seal) = seal {
                out.push_str(&seal_svg(seal));
            }
            out.push_str("</div></div>\n");
        }
        Block::EndMark => out.push_str("<p class=\"end\">（以下空白）</p>\n"),
        Block::Notes(items) => {
            out.push_str("<section class=\"notes\"><p><b>【注意事项】</b></p>");
            for item in items.iter() {
                let _ = write!(out, "<p>{}</p>", escape(item));
            }
            out.push_str("</section>\n");
        }
    }
}

fn para(p: &Para) -> String {
    let mut class = Vec::new();
    if p.indent {
        class.push("indent");
    }
    match p.align {
        Align::Left => {}
        Align::Right => class.push("right"),
    }
    let class = if class.is_empty() {
        String::new()
    } else {
        format!(" class=\"{}\"", class.join(" "))
    };
    let style = if p.space_before > 0.0 {
        format!(" style=\"margin-top:{}em\"", p.space_before)
    } else {
        String::new()
    };
    format!("<p{class}{style}>{}</p>", line_html(&p.line))
}

fn table(out: &mut String, t: &Table) {
    let total: f32 = t.columns.iter().sum();
    out.push_str("<table class=\"grid\"><colgroup>");
    for c in &t.columns {
        let _ = write!(out, "<col style=\"width:{:.2}%\">", c / total * 100.0);
    }
    out.push_str("</colgroup>\n");
    for row in &t.rows {
        match row.min_height {
            Some(h) => {
                // Browsers pad cells less than typst; keep the sheet's
                // overall height close to the PDF's.
                let _ = write!(out, "<tr style=\"height:{:.2}cm\">", h * 0.9);
            }
            None => out.push_str("<tr>"),
        }
        for c in &row.cells {
            cell(out, c);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

fn cell(out: &mut String, c: &Cell) {
    out.push_str("<td");
    if c.colspan > 1 {
        let _ = write!(out, " colspan=\"{}\"", c.colspan);
    }
    if c.rowspan > 1 {
        let _ = write!(out, " rowspan=\"{}\"", c.rowspan);
    }
    if c.label {
        out.push_str(" class=\"label\"");
    } else if c.top {
        out.push_str(" class=\"top\"");
    }
    out.push('>');
    for p in &c.paras {
        out.push_str(&para(p));
    }
    out.push_str("</td>");
}

fn line_html(line: &Line) -> String {
    let mut out = String::new();
    for i in line {
        match i {
            Inline::Text(t) => out.push_str(&escape(t)),
            Inline::Bold(t) => {
                let _ = write!(out, "<b>{}</b>", escape(t));
            }
            Inline::Fill { value, width, hint } => {
                match (value.is_empty(), width) {
                    (false, Width::Em(em)) if crate::layout::fits(value, *em) => {
                        let _ = write!(
                            out,
                            "<span class=\"fill\" style=\"min-width:{em}em\">{}</span>",
                            escape(value)
                        );
                    }
                    (false, _) => {
                        let _ = write!(out, "<span class=\"val\">{}</span>", escape(value));
                    }
                    (true, Width::Em(em)) => {
                        let _ = write!(out, "<span class=\"fill\" style=\"width:{em}em\"></span>");
                    }
                    (true, Width::Rest) => out.push_str("<span class=\"fill rest\"></span>"),
                }
                if let (true, Some(h)) = (value.is_empty(), hint) {
                    let _ = write!(out, "（{}）", escape(h));
                }
            }
            Inline::Check(on) => {
                let _ = write!(
                    out,
                    "<span class=\"check\">{}</span>",
                    if *on { "☑" } else { "□" }
                );
            }
            Inline::Gap(em) => {
                let _ = write!(out, "<span class=\"gap\" style=\"width:{em}em\"></span>");
            }
            Inline::Seal(unit) => {
                let _ = write!(out, "<span class=\"seal\">{}</span>", seal_svg(unit));
            }
        }
    }
    out
}

/// A line as plain text, blanks as ＿＿ (for CSS `content`).
fn plain_text(line: &Line) -> String {
    let mut out = String::new();
    for i in line {
        match i {
            Inline::Text(t) => out.push_str(t),
            Inline::Bold(t) => out.push_str(t),
            Inline::Fill { value, width, .. } if value.is_empty() => {
                let n = match width {
                    Width::Em(em) => em.round().max(1.0) as usize,
                    Width::Rest => 8,
                };
                out.push_str(&"＿".repeat(n));
            }
            Inline::Fill { value, .. } => out.push_str(value),
            Inline::Check(on) => out.push(if *on { '☑' } else { '□' }),
            Inline::Gap(em) => out.push_str(&"\u{3000}".repeat(em.round().max(1.0) as usize)),
            Inline::Seal(_) => {}
        }
    }
    out
}

/// Text inside a CSS string: backslashes, quotes and line ends escaped.
fn css_string(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\A ")
}

pub fn escape(s: &str) -> String {
    crate::seal::escape_xml(s)
}
