//! The pieces every template is made of, shared by the six form modules:
//! blanks, dates and times the way the forms write them, check boxes, the
//! officer lines and running text.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use yici_domain::documents::forms::Officer;

use crate::layout::{Inline, Line, Para, Width};

/// The template's own words.
pub fn t(text: &'static str) -> Inline {
    Inline::Text(text.into())
}

/// A value printed as it is (inside a table cell, where the cell is the blank).
pub fn value(text: &str) -> Inline {
    Inline::Text(text.trim().to_owned().into())
}

/// A blank of the form, `em` characters wide when empty.
pub fn fill(value: &str, em: f32) -> Inline {
    Inline::Fill {
        value: value.trim().to_owned(),
        width: Width::Em(em),
        hint: None,
    }
}

/// A blank followed, while empty, by the template's hint in brackets.
pub fn fill_hint(value: &str, em: f32, hint: &'static str) -> Inline {
    Inline::Fill {
        value: value.trim().to_owned(),
        width: Width::Em(em),
        hint: Some(hint),
    }
}

/// A blank running to the end of the line.
pub fn fill_rest(value: &str) -> Inline {
    Inline::Fill {
        value: value.trim().to_owned(),
        width: Width::Rest,
        hint: None,
    }
}

pub fn gap(em: f32) -> Inline {
    Inline::Gap(em)
}

/// 2025年6月3日, or ____年__月__日 to fill by hand.
pub fn date(date: Option<NaiveDate>) -> Vec<Inline> {
    match date {
        Some(d) => vec![fill(&date_text(d), 0.0)],
        None => blank_date(),
    }
}

/// The same date as plain text, where no line is drawn (under the seal).
pub fn date_plain(date: Option<NaiveDate>) -> Vec<Inline> {
    match date {
        Some(d) => vec![Inline::Text(date_text(d).into())],
        None => blank_date(),
    }
}

/// ____年__月__日: the signature dates, always written by hand.
pub fn blank_date() -> Vec<Inline> {
    vec![
        fill("", 2.5),
        t("年"),
        fill("", 1.5),
        t("月"),
        fill("", 1.5),
        t("日"),
    ]
}

pub fn date_text(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

pub fn time_text(t: NaiveTime) -> String {
    format!("{}时{}分", t.hour(), t.minute())
}

/// 9时30分, or __时__分.
pub fn time(time: Option<NaiveTime>) -> Vec<Inline> {
    match time {
        Some(tm) => vec![fill(&time_text(tm), 0.0)],
        None => vec![fill("", 1.5), t("时"), fill("", 1.5), t("分")],
    }
}

/// 2025年6月3日9时30分至11时20分 (the 笔录's 时间 line).
pub fn time_range(start: Option<NaiveDateTime>, end: Option<NaiveTime>) -> Vec<Inline> {
    let mut line = date(start.map(|s| s.date()));
    line.extend(time(start.map(|s| s.time())));
    line.push(t("至"));
    line.extend(time(end));
    line
}

/// ☑日常检查: a check box and its label.
pub fn check(ticked: bool, label: &'static str) -> Vec<Inline> {
    vec![Inline::Check(ticked), t(label)]
}

/// Several check boxes on one line, a little apart.
pub fn checks<'a>(options: impl IntoIterator<Item = (bool, &'static str)> + 'a) -> Vec<Inline> {
    let mut line = Vec::new();
    for (i, (ticked, label)) in options.into_iter().enumerate() {
        if i > 0 {
            line.push(gap(1.0));
        }
        line.extend(check(ticked, label));
    }
    line
}

/// The officers, at least as many lines as the template prints (two):
/// 姓名：张伟    行政执法证号：13020123001.
pub fn officer_lines(
    officers: &[Officer],
    name_label: &'static str,
    number_label: &'static str,
) -> Vec<Para> {
    officer_slots(officers)
        .map(|o| {
            let (name, number) = o.map_or(("", ""), |o| (&o.name, &o.certificate_no));
            Para::new(vec![
                t(name_label),
                fill(name, 7.0),
                gap(2.0),
                t(number_label),
                fill(number, 9.0),
            ])
        })
        .collect()
}

/// Every officer, and empty slots up to the template's two.
pub fn officer_slots(officers: &[Officer]) -> impl Iterator<Item = Option<&Officer>> {
    let blanks = 2usize.saturating_sub(officers.len());
    officers
        .iter()
        .map(Some)
        .chain(std::iter::repeat_n(None, blanks))
}

/// 张伟、李强 (or two blanks): the officers' names, or their certificate
/// numbers, in one sentence.
pub fn officer_list(officers: &[Officer], number: bool) -> Vec<Inline> {
    let mut line = Vec::new();
    for (i, o) in officer_slots(officers).enumerate() {
        if i > 0 {
            line.push(t("、"));
        }
        let text = o.map_or("", |o| if number { &o.certificate_no } else { &o.name });
        line.push(fill(text, if number { 6.0 } else { 4.0 }));
    }
    line
}

/// Running text typed into the system, one paragraph per line, indented two
/// characters; a line to fill by hand when there is none.
pub fn running_text(text: &str) -> Vec<Para> {
    let paras: Vec<Para> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| Para::indented(vec![value(l)]))
        .collect();
    if paras.is_empty() {
        vec![Para::new(vec![fill_rest("")])]
    } else {
        paras
    }
}

/// A label followed by running text: 现场情况：… The first line of the text
/// goes on the label's line, as it would be handwritten.
pub fn labelled_text(label: &'static str, text: &str) -> Vec<Para> {
    let mut paras = running_text(text);
    let first = &mut paras[0];
    let mut line: Line = vec![t(label)];
    line.append(&mut first.line);
    first.line = line;
    first.indent = false;
    paras
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_read_as_on_the_paper_form() {
        let d = NaiveDate::from_ymd_opt(2025, 6, 3).unwrap();
        assert_eq!(date_text(d), "2025年6月3日");
        assert_eq!(
            time_text(NaiveTime::from_hms_opt(9, 30, 0).unwrap()),
            "9时30分"
        );
        assert_eq!(
            time_text(NaiveTime::from_hms_opt(14, 5, 0).unwrap()),
            "14时5分"
        );
        let blank: Vec<String> = blank_date()
            .iter()
            .map(|i| match i {
                Inline::Text(t) => t.to_string(),
                Inline::Fill { value, .. } if value.is_empty() => "＿".into(),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(blank.concat(), "＿年＿月＿日");
    }

    #[test]
    fn the_template_prints_two_officer_lines_at_least() {
        assert_eq!(officer_lines(&[], "姓名：", "行政执法证号：").len(), 2);
        let three: Vec<Officer> = (0..3)
            .map(|i| Officer {
                name: format!("人{i}"),
                certificate_no: format!("{i}"),
            })
            .collect();
        assert_eq!(officer_lines(&three, "姓名：", "行政执法证号：").len(), 3);
    }

    #[test]
    fn running_text_is_a_paragraph_a_line_or_a_line_to_fill() {
        assert_eq!(running_text("一\n\n  二  \n").len(), 2);
        let blank = running_text("  ");
        assert!(matches!(
            blank[0].line[0],
            Inline::Fill {
                width: Width::Rest,
                ..
            }
        ));
    }
}
