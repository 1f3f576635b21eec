//! The layout as a Word document: A4, 仿宋_GB2312 body and 方正小标宋简体
//! titles named in `w:rFonts` (Word substitutes where they are missing), blanks
//! as underlined full-width spaces or an underscore tab leader, the seal and
//! the 作废 mark as PNG pictures floating over the text, and PAGE/NUMPAGES
//! fields in the 笔录's footer.
//!
//! docx-rs cannot give a section its own margins or header pictures, so the
//! document is one section: parts are separated by page breaks, and a 笔录's
//! footer (its first part's) is on every page.

use docx_rs::{
    AlignmentType, BreakType, Docx, FieldCharType, Footer, Header, HeightRule, InstrNUMPAGES,
    InstrPAGE, InstrText, LineSpacing, LineSpacingType, PageMargin, Paragraph, Pic,
    RelativeFromHType, RelativeFromVType, Run, RunFonts, SpecialIndentType, Tab, TabLeaderType,
    TabValueType, Table, TableBorder, TableBorderPosition, TableBorders, TableCell, TableRow,
    VAlignType, VMergeType, WidthType,
};

use crate::fields::date_plain;
use crate::layout::{self, Align, Block, Doc, Inline, Line, Para, Width};
use crate::seal::{png, seal_svg, void_svg};
use crate::RenderError;

/// Twentieths of a point per centimetre.
const TWIPS_PER_CM: f32 = 567.0;
/// English Metric Units per centimetre, the unit of drawing positions.
const EMU_PER_CM: i32 = 360_000;
const EMU_PER_PT: i32 = 12_700;
/// A4, and the margins of the PDF (2.5 cm, a little more at the binding side).
const PAGE_W: u32 = 11_906;
const PAGE_H: u32 = 16_838;
const MARGIN_LEFT_CM: f32 = 2.6;
const MARGIN_RIGHT_CM: f32 = 2.4;
const TEXT_WIDTH_CM: f32 = 21.0 - MARGIN_LEFT_CM - MARGIN_RIGHT_CM;
/// Line pitch in twips: body, table cells, notes.
const BODY_LINE: i32 = 320;
const CELL_LINE: i32 = 280;
const NOTE_LINE: i32 = 250;
/// Body text: 小四 (12 pt), in half-points.
const BODY_SIZE: usize = 24;
const NOTE_SIZE: usize = 21;
const BODY_PT: i32 = 12;
const SEAL_CM: f32 = 4.2;
/// Pixels of the seal picture: 4.2 cm at about 360 dpi.
const SEAL_PX: u32 = 600;

const BODY_FONT: &str = "仿宋_GB2312";
const TITLE_FONT: &str = "方正小标宋简体";
const LATIN_FONT: &str = "Times New Roman";
const HEADING_FONT: &str = "黑体";
/// ☑ is in no Chinese font Word ships; name one that has it.
const SYMBOL_FONT: &str = "Segoe UI Symbol";

pub fn render(doc: &Doc) -> Result<Vec<u8>, RenderError> {
    let mut w = Writer {
        seal_png: None,
        seal_for: String::new(),
    };
    let mut docx = Docx::new()
        .page_size(PAGE_W, PAGE_H)
        .page_margin(PageMargin {
            top: cm(2.5),
            bottom: cm(if doc.page_numbers { 3.2 } else { 2.5 }),
            left: cm(MARGIN_LEFT_CM),
            right: cm(MARGIN_RIGHT_CM),
            header: cm(1.5),
            footer: cm(1.2),
            gutter: 0,
        })
        .default_fonts(fonts(BODY_FONT))
        .default_size(BODY_SIZE)
        // Exact line heights: the substitute for 仿宋_GB2312 (whatever the
        // reader's machine has) then cannot change how much fits on a page.
        .default_line_spacing(exact(BODY_LINE).after(0));

    if doc.voided {
        docx = docx.header(
            Header::new()
                .add_paragraph(Paragraph::new().add_run(Run::new().add_image(void_mark()?))),
        );
    }
    if doc.page_numbers {
        let signatures = doc.parts.iter().find_map(|p| p.footer.as_ref());
        docx = docx.footer(footer(&mut w, signatures)?);
    }

    for (i, part) in doc.parts.iter().enumerate() {
        let mut first = true;
        let mut push_page_break = i > 0;
        if i == 0 {
            if let Some(number) = &doc.number {
                let mut p = Paragraph::new().align(AlignmentType::Right);
                p = p.add_run(Run::new().add_text("编号："));
                p = match number {
                    Some(n) => p.add_run(Run::new().add_text(n.as_str())),
                    None => p.add_run(blank_run(12.0)),
                };
                docx = docx.add_paragraph(p);
                first = false;
            }
        }
        for block in &part.blocks {
            // A new part starts a new sheet: a page break before its first
            // paragraph (a table cannot carry one, so an empty paragraph).
            if push_page_break && first && matches!(block, Block::Table(_)) {
                docx = docx
                    .add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)));
                push_page_break = false;
            }
            for item in w.block(block)? {
                docx = match item {
                    Item::Para(p) => {
                        let mut p = *p;
                        if part.loose && matches!(block, Block::Para(b) if b.space_before == 0.0) {
                            p = p.line_spacing(exact(BODY_LINE).after(120));
                        }
                        if push_page_break {
                            p = p.page_break_before(true);
                            push_page_break = false;
                        }
                        docx.add_paragraph(p)
                    }
                    Item::Table(t) => docx.add_table(*t),
                };
            }
            first = false;
        }
    }

    let mut buf = std::io::Cursor::new(Vec::new());
    docx.build()
        .pack(&mut buf)
        .map_err(|e| RenderError::Docx(e.to_string()))?;
    Ok(buf.into_inner())
}

enum Item {
    Para(Box<Paragraph>),
    Table(Box<Table>),
}

fn item(p: Paragraph) -> Item {
    Item::Para(Box::new(p))
}

/// Keeps the seal's PNG once drawn: a document has one seal.
struct Writer {
    seal_png: Option<Vec<u8>>,
    seal_for: String,
}

impl Writer {
    fn block(&mut self, block: &Block) -> Result<Vec<Item>, RenderError> {
        Ok(match block {
            Block::Title(t) => vec![item(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .line_spacing(exact(580).after(120))
                    .add_run(
                        Run::new()
                            .add_text(*t)
                            .fonts(fonts(TITLE_FONT))
                            .size(44)
                            .bold(),
                    ),
            )],
            Block::Aside(t) => vec![item(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .line_spacing(exact(420).after(160))
                    .add_run(Run::new().add_text(*t).size(28)),
            )],
            Block::Subtitle(t) => vec![item(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .line_spacing(exact(480).before(200).after(120))
                    .add_run(
                        Run::new()
                            .add_text(*t)
                            .fonts(fonts(TITLE_FONT))
                            .size(32)
                            .bold(),
                    ),
            )],
            Block::Heading(t) => vec![item(
                Paragraph::new()
                    .line_spacing(LineSpacing::new().before(80).after(0))
                    .add_run(Run::new().add_text(*t).fonts(fonts(HEADING_FONT)).bold()),
            )],
            Block::Para(p) => vec![item(self.para(p, TEXT_WIDTH_CM)?)],
            Block::Table(t) => vec![Item::Table(Box::new(self.table(t)?))],
            Block::Issuer { unit, date, seal } => self.issuer(unit, *date, seal.as_deref())?,
            Block::EndMark => vec![item(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .line_spacing(LineSpacing::new().before(120).after(120))
                    .add_run(Run::new().add_text("（以下空白）")),
            )],
            Block::Notes(items) => {
                let mut out = vec![item(
                    Paragraph::new()
                        .line_spacing(exact(NOTE_LINE).before(240))
                        .add_run(Run::new().add_text("【注意事项】").size(NOTE_SIZE).bold()),
                )];
                for note in items.iter() {
                    out.push(item(
                        Paragraph::new()
                            .indent(
                                Some(cm(0.55)),
                                Some(SpecialIndentType::Hanging(cm(0.55))),
                                None,
                                None,
                            )
                            .line_spacing(exact(NOTE_LINE))
                            .add_run(Run::new().add_text(*note).size(NOTE_SIZE)),
                    ));
                }
                out
            }
        })
    }

    fn para(&mut self, p: &Para, width_cm: f32) -> Result<Paragraph, RenderError> {
        let mut para = Paragraph::new();
        para = match p.align {
            Align::Left => para.align(AlignmentType::Both),
            Align::Right => para.align(AlignmentType::Right),
        };
        if p.indent {
            para = para.indent(
                None,
                Some(SpecialIndentType::FirstLine(BODY_PT * 20 * 2)),
                None,
                None,
            );
        }
        if p.space_before > 0.0 {
            para = para.line_spacing(
                exact(BODY_LINE).before((p.space_before * BODY_PT as f32 * 20.0) as u32),
            );
        }
        if p.line.iter().any(
            |i| matches!(i, Inline::Fill { width: Width::Rest, value, .. } if value.is_empty()),
        ) {
            // A blank to the end of the line: a tab to the right edge whose
            // leader draws the line.
            para = para.add_tab(
                Tab::new()
                    .val(TabValueType::Right)
                    .leader(TabLeaderType::Underscore)
                    .pos((width_cm * TWIPS_PER_CM) as usize),
            );
        }
        for run in self.runs(&p.line)? {
            para = para.add_run(run);
        }
        Ok(para)
    }

    fn runs(&mut self, line: &Line) -> Result<Vec<Run>, RenderError> {
        let mut runs = Vec::new();
        for item in line {
            match item {
                Inline::Text(t) => runs.push(Run::new().add_text(t.as_ref())),
                Inline::Bold(t) => runs.push(Run::new().add_text(*t).bold()),
                Inline::Fill { value, width, hint } => {
                    match (value.is_empty(), width) {
                        (false, Width::Em(em)) if layout::fits(value, *em) => {
                            // Centre the value on a line of the blank's width.
                            let pad = (*em - estimate_em(value)).max(0.0) / 2.0;
                            runs.push(underlined(&format!(
                                "{}{}{}",
                                spaces(pad),
                                value,
                                spaces(pad)
                            )));
                        }
                        (false, _) => runs.push(underlined(&format!("\u{a0}{value}\u{a0}"))),
                        (true, Width::Em(em)) => runs.push(blank_run(*em)),
                        (true, Width::Rest) => runs.push(Run::new().add_tab()),
                    }
                    if let (true, Some(h)) = (value.is_empty(), hint) {
                        runs.push(Run::new().add_text(format!("（{h}）")));
                    }
                }
                Inline::Check(on) => runs.push(
                    Run::new().add_text(if *on { "☑" } else { "□" }).fonts(
                        RunFonts::new()
                            .ascii(SYMBOL_FONT)
                            .hi_ansi(SYMBOL_FONT)
                            .east_asia(SYMBOL_FONT),
                    ),
                ),
                Inline::Gap(em) => runs.push(Run::new().add_text(spaces(*em))),
                Inline::Seal(unit) => {
                    // Centred 3.4 em right of the anchor (over the date that
                    // follows), as in the PDF.
                    let half = (SEAL_CM / 2.0 * EMU_PER_CM as f32) as i32;
                    let pic = self
                        .seal(unit)?
                        .floating()
                        .overlapping()
                        .relative_from_h(RelativeFromHType::Character)
                        .relative_from_v(RelativeFromVType::Line)
                        .offset_x((3.4 * BODY_PT as f32) as i32 * EMU_PER_PT - half)
                        // LibreOffice measures from the line's foot: up
                        // by a line and a half to centre it on the text.
                        .offset_y(-half - BODY_PT * EMU_PER_PT * 3 / 2);
                    runs.push(Run::new().add_image(pic));
                }
            }
        }
        Ok(runs)
    }

    /// The seal picture, 4.2 cm square, drawn once per document.
    fn seal(&mut self, unit: &str) -> Result<Pic, RenderError> {
        if self.seal_png.is_none() || self.seal_for != unit {
            self.seal_png = Some(png(&seal_svg(unit), SEAL_PX)?);
            self.seal_for = unit.to_owned();
        }
        let size = (SEAL_CM * EMU_PER_CM as f32) as u32;
        let data = self.seal_png.clone().unwrap_or_default();
        Ok(Pic::new_with_dimensions(data, SEAL_PX, SEAL_PX).size(size, size))
    }

    /// 行政执法主体（印章）and the date: three centred lines in a 14-character
    /// column at the right, the seal over their middle.
    fn issuer(
        &mut self,
        unit: &str,
        date: Option<chrono::NaiveDate>,
        seal: Option<&str>,
    ) -> Result<Vec<Item>, RenderError> {
        let column_cm = 14.0 * BODY_PT as f32 / 72.0 * 2.54;
        let left = cm(TEXT_WIDTH_CM - column_cm);
        let line = |runs: Vec<Run>, before: u32| {
            let mut p = Paragraph::new()
                .align(AlignmentType::Center)
                .indent(Some(left), None, None, None)
                .line_spacing(LineSpacing::new().before(before));
            for r in runs {
                p = p.add_run(r);
            }
            p
        };
        let unit = if unit.is_empty() {
            "行政执法主体"
        } else {
            unit
        };
        let mut first = vec![Run::new().add_text(unit)];
        if let Some(seal) = seal {
            // Anchored to the unit's line, centred on the three lines.
            let half = (SEAL_CM / 2.0 * EMU_PER_CM as f32) as i32;
            let pic = self
                .seal(seal)?
                .floating()
                .overlapping()
                .relative_from_h(RelativeFromHType::Margin)
                .relative_from_v(RelativeFromVType::Paragraph)
                .offset_x(((TEXT_WIDTH_CM - column_cm / 2.0) * EMU_PER_CM as f32) as i32 - half)
                // The paragraph's 12 pt space above, then 1.5 lines.
                .offset_y((12.0 + 1.5 * BODY_LINE as f32 / 20.0) as i32 * EMU_PER_PT - half);
            first.push(Run::new().add_image(pic));
        }
        Ok(vec![
            item(line(first, 240)),
            item(line(vec![Run::new().add_text("（印章）")], 0)),
            item(
                line(self.runs(&date_plain(date))?, 0).line_spacing(LineSpacing::new().after(240)),
            ),
        ])
    }

    fn table(&mut self, t: &layout::Table) -> Result<Table, RenderError> {
        let total: f32 = t.columns.iter().sum();
        let widths: Vec<usize> = t
            .columns
            .iter()
            .map(|c| (c / total * TEXT_WIDTH_CM * TWIPS_PER_CM) as usize)
            .collect();
        // Which grid columns a cell from a row above still covers, and for
        // how many more rows: Word wants a vMerge=continue cell there.
        let mut covered: Vec<(usize, usize)> = vec![(0, 0); widths.len()]; // (rows left, colspan)
        let mut rows = Vec::new();
        for row in &t.rows {
            let mut cells = Vec::new();
            let mut col = 0;
            let mut source = row.cells.iter();
            while col < widths.len() {
                if covered[col].0 > 0 {
                    let span = covered[col].1;
                    covered[col].0 -= 1;
                    let w: usize = widths[col..col + span].iter().sum();
                    cells.push(
                        TableCell::new()
                            .vertical_merge(VMergeType::Continue)
                            .grid_span(span)
                            .width(w, WidthType::Dxa)
                            .add_paragraph(Paragraph::new()),
                    );
                    col += span;
                    continue;
                }
                let Some(c) = source.next() else { break };
                let span = c.colspan.max(1).min(widths.len() - col);
                let w: usize = widths[col..col + span].iter().sum();
                let mut cell = TableCell::new().width(w, WidthType::Dxa).grid_span(span);
                if c.rowspan > 1 {
                    cell = cell.vertical_merge(VMergeType::Restart);
                    covered[col] = (c.rowspan - 1, span);
                }
                cell = cell.vertical_align(if c.top && !c.label {
                    VAlignType::Top
                } else {
                    VAlignType::Center
                });
                let width_cm = w as f32 / TWIPS_PER_CM - 0.4;
                let mut any = false;
                for p in &c.paras {
                    let mut para = self.para(p, width_cm)?;
                    if c.label {
                        para = para.align(AlignmentType::Center);
                    }
                    cell = cell.add_paragraph(para.line_spacing(exact(CELL_LINE)));
                    any = true;
                }
                if !any {
                    cell = cell.add_paragraph(Paragraph::new());
                }
                cells.push(cell);
                col += span;
            }
            let mut r = TableRow::new(cells);
            if let Some(h) = row.min_height {
                // Word's cells have no padding above and below, typst's do.
                r = r
                    .row_height((h - 0.2) * TWIPS_PER_CM)
                    .height_rule(HeightRule::AtLeast);
            }
            rows.push(r);
        }
        let border = |p| TableBorder::new(p).size(4);
        Ok(Table::new(rows)
            .set_grid(widths)
            .width((TEXT_WIDTH_CM * TWIPS_PER_CM) as usize, WidthType::Dxa)
            .set_borders(
                TableBorders::new()
                    .set(border(TableBorderPosition::Top))
                    .set(border(TableBorderPosition::Bottom))
                    .set(border(TableBorderPosition::Left))
                    .set(border(TableBorderPosition::Right))
                    .set(border(TableBorderPosition::InsideH))
                    .set(border(TableBorderPosition::InsideV)),
            ))
    }
}

/// The 笔录's footer: the signatures the part asks for on every page, then
/// 第 {PAGE} 页 共 {NUMPAGES} 页 as fields Word and LibreOffice update.
fn footer(w: &mut Writer, signatures: Option<&Line>) -> Result<Footer, RenderError> {
    let mut footer = Footer::new();
    if let Some(line) = signatures {
        let mut p = Paragraph::new();
        for r in w.runs(line)? {
            p = p.add_run(r.size(NOTE_SIZE));
        }
        footer = footer.add_paragraph(p);
    }
    let field = |instr: InstrText| {
        Run::new()
            .size(NOTE_SIZE)
            .add_field_char(FieldCharType::Begin, true)
            .add_instr_text(instr)
            .add_field_char(FieldCharType::Separate, false)
            .add_text("1")
            .add_field_char(FieldCharType::End, false)
    };
    Ok(footer.add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(Run::new().add_text("第 ").size(NOTE_SIZE))
            .add_run(field(InstrText::PAGE(InstrPAGE::new())))
            .add_run(Run::new().add_text(" 页 共 ").size(NOTE_SIZE))
            .add_run(field(InstrText::NUMPAGES(InstrNUMPAGES::new())))
            .add_run(Run::new().add_text(" 页").size(NOTE_SIZE)),
    ))
}

/// The 作废 mark as a picture in the header, so it is on every page, centred
/// on the page over the text.
fn void_mark() -> Result<Pic, RenderError> {
    let px = 800;
    let size_cm = 14.0;
    let size = (size_cm * EMU_PER_CM as f32) as u32;
    Ok(Pic::new_with_dimensions(png(&void_svg(), px)?, px, px)
        .size(size, size)
        .floating()
        .overlapping()
        .relative_from_h(RelativeFromHType::Page)
        .relative_from_v(RelativeFromVType::Page)
        .offset_x(((21.0 - size_cm) / 2.0 * EMU_PER_CM as f32) as i32)
        .offset_y(((29.7 - size_cm) / 2.0 * EMU_PER_CM as f32) as i32))
}

fn exact(twips: i32) -> LineSpacing {
    LineSpacing::new()
        .line(twips)
        .line_rule(LineSpacingType::Exact)
}

fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(east_asia)
        .ascii(LATIN_FONT)
        .hi_ansi(LATIN_FONT)
}

fn underlined(text: &str) -> Run {
    Run::new().add_text(text).underline("single")
}

/// A blank `em` characters wide: underlined full-width spaces.
fn blank_run(em: f32) -> Run {
    underlined(&spaces(em.max(1.0)))
}

/// About `em` characters of space (full-width spaces; a half is a no-break
/// space pair, roughly half a character in Times New Roman).
fn spaces(em: f32) -> String {
    let whole = em.floor() as usize;
    let mut s = "\u{3000}".repeat(whole);
    if em - whole as f32 >= 0.5 {
        s.push_str("\u{a0}\u{a0}");
    }
    s
}

fn estimate_em(value: &str) -> f32 {
    value
        .chars()
        .map(|c| if (c as u32) < 0x2E80 { 0.5 } else { 1.0 })
        .sum()
}

fn cm(v: f32) -> i32 {
    (v * TWIPS_PER_CM).round() as i32
}
