//! 抽样（采样）通知书, with its 抽样（采样）物品清单 attached.

use yici_domain::documents::forms::SamplingNotice;

use super::{addressee, service_lines, single};
use crate::fields::{fill, fill_hint, fill_rest, officer_lines, t, value};
use crate::layout::{Block, Cell, Para, Row, Table};

pub const NOTES: &[&str] = &[
    "1. 抽样（采样）物品清单的相关要素（名称、数量、规格、型号、批号等），由行政执法主体根据实际需要确定。",
    "2. 行政执法人员可以在专业技术人员帮助下完成抽样（采样）。",
    "3. 抽样（采样）需要支付费用的，应当按照规定支付费用。",
];

pub fn parts(f: &SamplingNotice, seal: Option<String>) -> Vec<crate::layout::Part> {
    let mut blocks = vec![
        Block::Title("抽样（采样）通知书"),
        addressee(&f.enterprise_name, &f.uscc),
        Block::Para(Para::indented(vec![
            t("根据"),
            fill_hint(&f.legal_basis, 10.0, "法律依据名称"),
            t("，现决定对你单位的"),
            fill(&f.objects, 8.0),
            t("等进行抽样（采样）。（附抽样（采样）物品清单）"),
        ])),
    ];
    blocks.extend(
        officer_lines(&f.inspectors, "行政执法人员：", "行政执法证号：")
            .into_iter()
            .map(Block::Para),
    );
    blocks.push(Block::Para(Para::new(vec![
        t("采样人员："),
        fill_rest(&f.samplers),
    ])));
    blocks.push(Block::Issuer {
        unit: f.unit_name.trim().to_owned(),
        date: f.issued_on,
        seal,
    });
    blocks.extend(service_lines(f.service.as_ref()));
    blocks.push(Block::Subtitle("抽样（采样）物品清单"));
    blocks.push(Block::Table(sample_list(f)));
    blocks.push(Block::Notes(NOTES));
    single(blocks)
}

/// 序号 名称 数量 规格 型号 批号, with three empty rows when nothing is listed
/// so the list can be filled by hand.
fn sample_list(f: &SamplingNotice) -> Table {
    let header = ["序号", "名称", "数量", "规格", "型号", "批号"];
    let mut rows = vec![Row {
        cells: header.iter().map(|h| Cell::label(h)).collect(),
        min_height: Some(0.8),
    }];
    for (i, s) in f.samples.iter().enumerate() {
        let n = (i + 1).to_string();
        rows.push(Row {
            cells: [
                n.as_str(),
                &s.name,
                &s.quantity,
                &s.specification,
                &s.model,
                &s.batch,
            ]
            .into_iter()
            .map(|v| Cell::line(vec![value(v)]))
            .collect(),
            min_height: Some(0.8),
        });
    }
    for _ in f.samples.len()..3 {
        rows.push(Row {
            cells: (0..6).map(|_| Cell::line(vec![])).collect(),
            min_height: Some(0.8),
        });
    }
    Table {
        columns: vec![1.2, 3.6, 1.8, 2.6, 2.2, 4.6],
        rows,
    }
}
