//! A printed form as data: what the paper templates are made of, and nothing
//! about any one output format. The modules in `forms` build a [`Doc`]; the
//! HTML, DOCX and typst back ends print it.

use std::borrow::Cow;

/// One document: its pages' common furniture and its content.
#[derive(Debug, Clone)]
pub struct Doc {
    /// The template's name, for the HTML `<title>` and the PDF metadata.
    pub name: &'static str,
    /// `Some` for the numbered kinds: 编号：<number>, blank when not numbered yet.
    pub number: Option<Option<String>>,
    /// 笔录: 第 N 页 共 M 页 at the foot of every page.
    pub page_numbers: bool,
    /// A big red 作废 across every page.
    pub voided: bool,
    /// Each part starts on a new sheet (the notice's back, the 笔录's 尾页).
    pub parts: Vec<Part>,
}

#[derive(Debug, Clone, Default)]
pub struct Part {
    pub blocks: Vec<Block>,
    /// Printed at the foot of every page of the part, above the page number:
    /// the signatures each page of a 笔录 carries.
    pub footer: Option<Line>,
    /// Lines further apart, for a page filled in by hand on site (the
    /// 笔录's first page, which has the room).
    pub loose: bool,
    /// One sheet of paper, as the template is: when the content would run
    /// over the page, its text is set smaller until it fits (the 审批表,
    /// whose 注意事项 must not end up alone on a second page).
    pub one_page: bool,
}

/// A run of inline pieces making one paragraph.
pub type Line = Vec<Inline>;

#[derive(Debug, Clone)]
pub enum Block {
    /// The document's title (小标宋, centred, large).
    Title(&'static str),
    /// A smaller centred heading: 五个严禁, 抽样（采样）物品清单.
    Subtitle(&'static str),
    /// A line under the title: （仅用于内部审批）.
    Aside(&'static str),
    /// A section heading of the notice: 一、行政执法人员信息.
    Heading(&'static str),
    Para(Para),
    Table(Table),
    /// 行政执法主体（印章）and the date, right-aligned, with the seal over it.
    Issuer {
        unit: String,
        date: Option<chrono::NaiveDate>,
        seal: Option<String>,
    },
    /// （以下空白）after the last recorded line of a 笔录.
    EndMark,
    /// 【注意事项】 in smaller type.
    Notes(&'static [&'static str]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Left,
    Right,
}

#[derive(Debug, Clone, Default)]
pub struct Para {
    pub line: Line,
    /// First-line indent of two characters (running text).
    pub indent: bool,
    pub align: Align,
    /// Space above, in em: separates signature lines from the text.
    pub space_before: f32,
}

impl Para {
    pub fn new(line: Line) -> Para {
        Para {
            line,
            ..Para::default()
        }
    }

    pub fn indented(line: Line) -> Para {
        Para {
            line,
            indent: true,
            ..Para::default()
        }
    }

    pub fn right(line: Line) -> Para {
        Para {
            line,
            align: Align::Right,
            ..Para::default()
        }
    }

    pub fn space_before(mut self, em: f32) -> Para {
        self.space_before = em;
        self
    }
}

/// How wide a blank is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Width {
    /// This many characters.
    Em(f32),
    /// To the end of the line.
    Rest,
}

#[derive(Debug, Clone)]
pub enum Inline {
    /// Printed as it is: the template's words, or a value that is not written
    /// on a line (the text of a table cell, a long answer).
    Text(Cow<'static, str>),
    /// The template's words in bold (严禁逐利检查：).
    Bold(&'static str),
    /// A blank of the paper form: the value underlined, or, when the value is
    /// empty, a line to fill by hand followed by the template's hint, if any
    /// (根据＿＿＿（法律依据名称）).
    Fill {
        value: String,
        width: Width,
        hint: Option<&'static str>,
    },
    /// ☑ or □.
    Check(bool),
    /// Horizontal space between two fields on one line, in em.
    Gap(f32),
    /// The unit's seal, centred on this point and printed over the text.
    Seal(String),
}

/// A bordered grid like the 审批表's.
#[derive(Debug, Clone)]
pub struct Table {
    /// Relative column widths.
    pub columns: Vec<f32>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Default)]
pub struct Row {
    pub cells: Vec<Cell>,
    /// The row's least height in cm, as the paper leaves room to write.
    pub min_height: Option<f32>,
}

#[derive(Debug, Clone)]
pub struct Cell {
    pub paras: Vec<Para>,
    pub colspan: usize,
    pub rowspan: usize,
    /// A label cell: centred both ways.
    pub label: bool,
    /// Text from the top of the cell (a writing area), not centred.
    pub top: bool,
}

impl Cell {
    pub fn label(text: &'static str) -> Cell {
        Cell {
            paras: vec![Para::new(vec![Inline::Text(text.into())])],
            colspan: 1,
            rowspan: 1,
            label: true,
            top: false,
        }
    }

    pub fn paras(paras: Vec<Para>) -> Cell {
        Cell {
            paras,
            colspan: 1,
            rowspan: 1,
            label: false,
            top: false,
        }
    }

    pub fn line(line: Line) -> Cell {
        Cell::paras(vec![Para::new(line)])
    }

    pub fn span(mut self, colspan: usize) -> Cell {
        self.colspan = colspan;
        self
    }

    pub fn top(mut self) -> Cell {
        self.top = true;
        self
    }

    pub fn rows(mut self, rowspan: usize) -> Cell {
        self.rowspan = rowspan;
        self
    }
}

/// Whether `value` fits on a blank `em` characters wide with a little room
/// on either side: full-width characters count one, others about half.
pub fn fits(value: &str, em: f32) -> bool {
    let width: f32 = value
        .chars()
        .map(|c| if (c as u32) < 0x2E80 { 0.55 } else { 1.0 })
        .sum();
    width + 1.0 <= em
}
