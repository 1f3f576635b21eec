//! The six documents rendered from filled sample sheets, checked through the
//! tools a reader would use: poppler's `pdftotext`/`pdffonts`/`pdfimages` on
//! the PDF, LibreOffice opening the DOCX. Every PDF is also turned into PNG
//! pages under `target/document-previews/` for people to look at.
//!
//! Needs Debian's poppler-utils and libreoffice-writer-nogui (and
//! fonts-noto-cjk for the fallback-font test); a missing tool fails the test
//! with the package to install.

mod samples;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use yici_documents::{docx, html, seal_svg, PdfRenderer};
use yici_domain::documents::{Form, Sheet};
use yici_domain::draw::caps::TaskSource;

const APT: &str = "apt-get install poppler-utils libreoffice-writer-nogui";

fn renderer() -> &'static PdfRenderer {
    static RENDERER: OnceLock<PdfRenderer> = OnceLock::new();
    RENDERER.get_or_init(|| PdfRenderer::new().expect("the vendored fonts load"))
}

/// A fresh folder under the target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("yici-documents")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs a poppler or LibreOffice tool, failing with the Debian package to
/// install when it is missing.
fn run(program: &str, args: &[&str]) -> std::process::Output {
    match Command::new(program).args(args).output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            panic!("`{program}` is not installed: {APT}")
        }
        Err(e) => panic!("running {program}: {e}"),
    }
}

/// The text of a PDF (or of one of its pages) in the order it was written
/// (`-raw`: table cells and the tilted 作废 stay whole), with all white
/// space removed so that words split by pdftotext's spacing still match.
fn pdf_text(pdf: &Path, page: Option<usize>) -> String {
    let mut args = vec!["-raw"];
    let p = page.map(|p| p.to_string());
    if let Some(p) = &p {
        args.extend(["-f", p, "-l", p]);
    }
    let path = pdf.to_str().unwrap();
    args.extend([path, "-"]);
    let out = run("pdftotext", &args);
    assert!(
        out.status.success(),
        "pdftotext failed on {path}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    squash(&String::from_utf8_lossy(&out.stdout))
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn pages(pdf: &Path) -> usize {
    let out = run("pdfinfo", &[pdf.to_str().unwrap()]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap()))
        .expect("pdfinfo prints the page count")
}

/// The sheet as a PDF in `dir`, plus its PNG preview pages in
/// `target/document-previews/`.
fn write_pdf(dir: &Path, name: &str, sheet: &Sheet) -> PathBuf {
    let pdf = renderer().render(sheet).expect("renders");
    assert!(pdf.starts_with(b"%PDF-"), "{name} is not a PDF");
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, &pdf).unwrap();
    let previews = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("document-previews");
    std::fs::create_dir_all(&previews).unwrap();
    std::fs::copy(&path, previews.join(format!("{name}.pdf"))).unwrap();
    let out = run(
        "pdftoppm",
        &[
            "-r",
            "60",
            "-png",
            path.to_str().unwrap(),
            previews.join(name).to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "pdftoppm failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    path
}

fn name_of(sheet: &Sheet) -> &'static str {
    sheet.form.kind().as_str()
}

fn number_of(sheet: &Sheet) -> Option<&str> {
    sheet.number.as_deref()
}

/// What poppler prints on stderr while reading the PDF: nothing for a sound
/// file ("Syntax Error: …" or "Internal Error: …" otherwise).
fn poppler_complaints(pdf: &Path) -> String {
    let path = pdf.to_str().unwrap();
    let image = pdf.with_extension("");
    let image = image.to_str().unwrap();
    let mut complaints = String::new();
    for (program, args) in [
        ("pdfinfo", vec![path]),
        (
            "pdftoppm",
            vec!["-r", "20", "-png", "-singlefile", path, image],
        ),
    ] {
        let out = run(program, &args);
        assert!(out.status.success(), "{program} failed on {path}");
        complaints.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    complaints
}

#[test]
fn poppler_reads_every_pdf_without_a_structural_error() {
    // The 通知书 above all: "Suspects object is wrong type" was reported on it.
    let dir = scratch("poppler");
    let filled = samples::all();
    let sheets = filled
        .iter()
        .map(|s| ("", s.clone()))
        .chain(filled.iter().map(|s| ("blank-", samples::blank(s))))
        .chain(
            filled
                .iter()
                .map(|s| ("voided-", samples::voided(s.clone()))),
        );
    for (prefix, sheet) in sheets {
        let name = format!("{prefix}{}", name_of(&sheet));
        let pdf = renderer().render(&sheet).unwrap();
        let path = dir.join(format!("{name}.pdf"));
        std::fs::write(&path, &pdf).unwrap();
        let complaints = poppler_complaints(&path);
        assert!(complaints.is_empty(), "{name}: {complaints}");
        assert!(
            !String::from_utf8_lossy(&pdf).contains("/Suspects false"),
            "{name}"
        );
    }
}

/// An 审批表 as a large joint group fills it: six inspectors of three
/// departments, the department's whole item list, long opinions.
fn crowded_approval_form() -> Sheet {
    let mut sheet = samples::approval_form();
    let Form::ApprovalForm(f) = &mut sheet.form else {
        unreachable!()
    };
    f.inspectors = (1..=6)
        .map(|i| yici_domain::documents::forms::Officer {
            name: format!("检查人员{i}"),
            certificate_no: format!("1302012300{i}"),
        })
        .collect();
    f.items = [
        "排污许可制度执行情况",
        "大气污染防治设施运行及污染物排放情况",
        "无组织排放控制情况",
        "自动监测设备安装、联网及运行情况",
        "重污染天气应急减排措施落实情况",
        "挥发性有机物污染防治情况",
        "扬尘污染防治情况",
        "固体废物贮存、利用和处置情况",
    ]
    .join("、");
    f.place =
        "河北省唐山市玉田县鸦鸿桥镇工业园区恒泰路8号（厂区东门，原料库及一、二号生产车间）".into();
    f.assistants = "2人（唐山市玉田县生态环境监控中心监测人员，负责现场采样）".into();
    if let Some(s) = &mut f.department_head {
        s.opinion = "同意开展现场检查。请按“双随机、一公开”要求实施，一次进门查多项，\
            检查前出示执法证件并告知权利，检查结果按规定公开。"
            .into();
    }
    sheet
}

#[test]
fn the_approval_form_fits_one_a4_page_as_the_template_does() {
    let dir = scratch("one-page");
    for (name, sheet) in [
        ("approval_form", samples::approval_form()),
        ("crowded-approval_form", crowded_approval_form()),
        (
            "blank-approval_form",
            samples::blank(&samples::approval_form()),
        ),
    ] {
        let pdf = write_pdf(&dir, name, &sheet);
        assert_eq!(pages(&pdf), 1, "{name} runs over one page");
        // The last 注意事项 on that page, whole.
        let text = pdf_text(&pdf, Some(1));
        assert!(
            text.contains(&squash(approval_notes_last())),
            "{name}: item 6 missing from page 1\n{text}"
        );
    }
    // The crowded one keeps every inspector.
    let text = pdf_text(&write_pdf(&dir, "crowded", &crowded_approval_form()), None);
    for i in 1..=6 {
        assert!(text.contains(&format!("检查人员{i}")), "{text}");
    }
}

fn approval_notes_last() -> &'static str {
    "6. 行政检查审批表由主要负责人或者分管负责人批准，不得仅由内设机构负责人批准。法律、法规或者规章规定应当由上级行政机关批准的，依照其规定。"
}

#[test]
fn the_renderer_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<PdfRenderer>();
    let sheets = samples::all();
    std::thread::scope(|s| {
        for sheet in &sheets {
            s.spawn(move || assert!(renderer().render(sheet).unwrap().starts_with(b"%PDF")));
        }
    });
}

#[test]
fn every_kind_prints_its_fields_in_the_pdf() {
    let dir = scratch("fields");
    for sheet in samples::all() {
        let name = name_of(&sheet);
        let text = pdf_text(&write_pdf(&dir, name, &sheet), None);
        let mut expected = vec![samples::ENTERPRISE.to_owned(), samples::uscc()];
        if matches!(sheet.form, Form::InquiryRecord(_)) {
            // The inquiry names the enterprise in 工作单位 and 事由 only.
            expected.retain(|e| e != &samples::uscc());
        }
        for (officer, certificate) in [samples::OFFICER_1, samples::OFFICER_2] {
            expected.push(officer.to_owned());
            expected.push(certificate.to_owned());
        }
        match number_of(&sheet) {
            Some(number) => assert!(
                text.starts_with(&squash(&format!("编号：{number}"))),
                "{name}: {text}"
            ),
            None => assert!(!text.starts_with("编号"), "{name}: a 笔录 has no 编号 line"),
        }
        expected.push("【注意事项】".to_owned());
        for e in expected {
            assert!(
                text.contains(&squash(&e)),
                "{name}: the PDF lacks {e:?}\n{text}"
            );
        }
    }
}

#[test]
fn each_form_prints_its_own_wording() {
    let dir = scratch("wording");
    let cases: [(Sheet, &[&str]); 6] = [
        (
            samples::approval_form(),
            &["行政检查审批表", "（仅用于内部审批）", "☑日常检查", "□专项检查", "□投诉举报", "年度行政检查频次上限：2次，本次为第1次", "承办机构负责人审批意见", "签名：王建国", "2025年6月3日"],
        ),
        (
            samples::sampling_notice(),
            &["抽样（采样）通知书", "烧结机头烟气、除尘灰", "等进行抽样（采样）", "采样人员：", "YT-20250605-02", "受送达：赵立新"],
        ),
        (
            samples::onsite_record(),
            &["现场检查（勘验）笔录", "2025年6月5日9时30分至11时20分", "是否通知相关人员到场：☑是□否", "记录人：李强", "表明身份、出示证件：您好！我们是唐山市生态环境局玉田县分局的行政执法人员张伟、李强", "以上是本次检查（勘验）记录，核对无误后请签名或者盖章。"],
        ),
        (
            samples::inquiry_record(),
            &["调查询问笔录", "与被检查人关系：□法定代表人□负责人☑工作人员□其他", "第四十三条第二款", "答：不申请回避。", "1.问：请介绍一下你公司的基本情况。", "答：没有了。", "调查询问笔录（尾页）", "参加人签字：孙悦"],
        ),
        (
            samples::inspection_record_sheet(),
            &["行政检查情况记录表", "2025年6月5日（9时30分）至2025年6月5日（12时10分）", "（此处仅记录检查事实情况）", "3号转运站顶部密闭罩破损", "□通过行政检查☑未通过行政检查□其他"],
        ),
        (
            samples::inspection_notice(TaskSource::Routine),
            &["行政检查通知书", "（统一社会信用代码：", "决定对你单位实施行政检查", "时间：2025年6月5日", "音像记录说明：本次检查全程使用执法记录仪同步录音录像。", "联系人、联系方式：张伟0315-6112345"],
        ),
    ];
    for (sheet, phrases) in cases {
        let name = format!("wording-{}", name_of(&sheet));
        let text = pdf_text(&write_pdf(&dir, &name, &sheet), None);
        for p in phrases {
            assert!(
                text.contains(&squash(p)),
                "{name}: the PDF lacks {p:?}\n{text}"
            );
        }
    }
}

#[test]
fn the_notice_states_the_frequency_only_for_a_capped_source() {
    let dir = scratch("frequency");
    let capped = pdf_text(
        &write_pdf(
            &dir,
            "notice-routine",
            &samples::inspection_notice(TaskSource::Routine),
        ),
        None,
    );
    assert!(
        capped.contains("本次检查系☑日常检查□专项检查，年度行政检查频次上限：2次，本次为第1次。"),
        "{capped}"
    );
    assert!(
        capped.contains("本次检查系根据□投诉举报□转办交办"),
        "{capped}"
    );

    let uncapped = pdf_text(
        &write_pdf(
            &dir,
            "notice-complaint",
            &samples::inspection_notice(TaskSource::Complaint),
        ),
        None,
    );
    assert!(
        !uncapped.contains("上限：2次"),
        "an uncapped source has no frequency: {uncapped}"
    );
    assert!(
        uncapped.contains("本次检查系□日常检查□专项检查，年度行政检查频次上限：次，本次为第次。"),
        "{uncapped}"
    );
    assert!(
        uncapped.contains("本次检查系根据☑投诉举报□转办交办"),
        "{uncapped}"
    );
    assert!(
        uncapped.contains("发起的行政检查，不受年度检查频次上限限制。"),
        "{uncapped}"
    );
}

#[test]
fn the_notice_prints_the_five_prohibitions_and_eight_donts_on_its_back() {
    let dir = scratch("back");
    let pdf = write_pdf(
        &dir,
        "notice-back",
        &samples::inspection_notice(TaskSource::Routine),
    );
    assert_eq!(pages(&pdf), 2, "the notice is a front and a back");
    let back = pdf_text(&pdf, Some(2));
    // Verbatim from 附件2 (the template's back side).
    let sentences = [
        "五个严禁",
        "严禁逐利检查：不得接受被检查企业的任何馈赠、报酬、福利待遇，不得参加被检查企业提供的宴请、娱乐、旅游等活动，不得由被检查企业支付消费开支或者将检查费用转嫁给企业，不得强制企业接受指定的中介机构提供服务。",
        "严禁干扰企业正常生产经营：不得刻意要求法定代表人到场。",
        "严禁任性处罚企业：不得乱查封、乱扣押、乱冻结、动辄责令停产停业。",
        "严禁下达检查指标：不得将考核考评、预算项目绩效与检查频次、罚款数额挂钩。",
        "严禁变相检查：不得以观摩、督导、考察等名义行检查之实。",
        "八个不得",
        "不得接受被检查企业的任何馈赠、报酬、福利待遇。",
        "不得参加被检查企业提供的宴请、娱乐、旅游等活动。",
        "不得由被检查企业支付消费开支或者将检查费用转嫁给企业。",
        "不得强制企业接受指定的中介机构提供服务。",
        "不得刻意要求法定代表人到场。",
        "不得乱查封、乱扣押、乱冻结、动辄责令停产停业。",
        "不得将考核考评、预算项目绩效与检查频次、罚款数额挂钩。",
        "不得以观摩、督导、考察等名义行检查之实。",
        "4.文书背面应当印制涉企行政检查的“五个严禁”“八个不得”。",
    ];
    for s in sentences {
        assert!(back.contains(s), "the back lacks {s:?}\n{back}");
    }
    assert!(
        !pdf_text(&pdf, Some(1)).contains("五个严禁"),
        "the front does not carry the back"
    );
}

#[test]
fn a_long_record_flows_over_numbered_pages_and_ends_with_a_blank_mark() {
    let dir = scratch("records");
    let onsite = write_pdf(&dir, "record-onsite", &samples::onsite_record());
    let total = pages(&onsite);
    assert!(
        total >= 3,
        "the long 现场情况 runs past its page (got {total} pages)"
    );
    for page in 1..=total {
        let text = pdf_text(&onsite, Some(page));
        assert!(
            text.contains(&format!("第{page}页共{total}页")),
            "page {page}: {text}"
        );
        assert!(
            text.contains("被检查（勘验）人或现场负责人签名："),
            "page {page} is signed: {text}"
        );
    }
    let all = pdf_text(&onsite, None);
    let findings = squash(&samples::long_findings());
    assert!(
        all.contains(&findings[findings.len() - 60..]),
        "the findings are printed to their end"
    );
    let blank = all.find("以下空白").expect("以下空白 after the record");
    assert!(
        blank > all.find("20.危险废物贮存库").unwrap(),
        "以下空白 follows the last line"
    );
    assert!(blank < all.find("以上是本次检查（勘验）记录").unwrap());

    let inquiry = write_pdf(&dir, "record-inquiry", &samples::inquiry_record());
    assert_eq!(pages(&inquiry), 2);
    let first = pdf_text(&inquiry, Some(1));
    assert!(
        first.contains("第1页共2页") && first.contains("以下空白"),
        "{first}"
    );
    let tail = pdf_text(&inquiry, Some(2));
    assert!(
        tail.contains("调查询问笔录（尾页）") && tail.contains("第2页共2页"),
        "{tail}"
    );
}

#[test]
fn long_findings_in_a_table_cell_break_across_pages() {
    let dir = scratch("long-table");
    let mut sheet = samples::inspection_record_sheet();
    if let Form::InspectionRecordSheet(f) = &mut sheet.form {
        f.findings = samples::long_findings();
    }
    let pdf = write_pdf(&dir, "long-inspection_record_sheet", &sheet);
    assert!(pages(&pdf) >= 2, "the findings run past the page");
    let text = pdf_text(&pdf, None);
    let findings = squash(&samples::long_findings());
    assert!(
        text.contains(&findings[findings.len() - 60..]),
        "the findings are printed to their end"
    );
    assert!(
        text.contains("☑未通过行政检查"),
        "the rows after the findings follow"
    );
}

#[test]
fn a_voided_sheet_is_marked_on_every_page() {
    let dir = scratch("void");
    for sheet in [
        samples::onsite_record(),
        samples::inspection_notice(TaskSource::Routine),
        samples::approval_form(),
    ] {
        let name = format!("voided-{}", name_of(&sheet));
        let plain = pdf_text(&write_pdf(&dir, &format!("plain-{name}"), &sheet), None);
        assert!(
            !plain.contains("作废"),
            "{name}: only a voided sheet says 作废"
        );
        let pdf = write_pdf(&dir, &name, &samples::voided(sheet));
        for page in 1..=pages(&pdf) {
            assert!(
                pdf_text(&pdf, Some(page)).contains("作废"),
                "{name}: page {page} is not marked"
            );
        }
    }
}

#[test]
fn the_pdf_embeds_a_subset_of_the_vendored_font() {
    let dir = scratch("fonts");
    let pdf = write_pdf(&dir, "fonts", &samples::approval_form());
    let out = run("pdffonts", &[pdf.to_str().unwrap()]);
    let listing = String::from_utf8_lossy(&out.stdout);
    let noto: Vec<&str> = listing
        .lines()
        .filter(|l| l.contains("NotoSerifSC"))
        .collect();
    assert!(!noto.is_empty(), "Noto Serif SC is used:\n{listing}");
    for line in noto {
        // Columns: name type encoding emb sub uni …; a subset's name has a
        // six-letter tag.
        assert!(line.contains('+'), "subset-embedded: {line}");
        assert!(line.contains(" yes yes "), "embedded and subset: {line}");
    }
}

#[test]
fn user_text_is_never_read_as_markup() {
    let dir = scratch("markup");
    let hostile = r#"钢铁#panic("x") *粗* _斜_ $x^2$ [a] \ <l> @r `c` // 注释 /* c */ "引号""#;
    let mut sheet = samples::inspection_record_sheet();
    if let Form::InspectionRecordSheet(f) = &mut sheet.form {
        f.enterprise_name = hostile.into();
        f.findings = format!("{hostile}\n= 标题\n- 列表\n+ 编号");
    }
    let text = pdf_text(&write_pdf(&dir, "markup", &sheet), None);
    assert!(text.contains(&squash(hostile)), "printed literally: {text}");
    assert!(text.contains("=标题-列表+编号"), "{text}");
}

#[test]
fn blank_sheets_print_lines_to_fill_by_hand() {
    let dir = scratch("blank");
    for sheet in samples::all() {
        let blank = samples::blank(&sheet);
        let name = format!("blank-{}", name_of(&sheet));
        let text = pdf_text(&write_pdf(&dir, &name, &blank), None);
        assert!(!text.contains(samples::ENTERPRISE), "{name}");
        if blank.form.kind().is_numbered() {
            assert!(text.contains("编号："), "{name}: a blank 编号 line");
        }
        assert!(docx(&blank).unwrap().starts_with(b"PK"), "{name}");
        assert!(html(&blank).contains("class=\"fill"), "{name}");
    }
    let notice = pdf_text(&dir.join("blank-inspection_notice.pdf"), None);
    assert!(
        notice.contains("（被检查人名称、统一社会信用代码）：")
            && notice.contains("（法律依据名称）"),
        "{notice}"
    );
    assert!(
        notice.contains("年度行政检查频次上限：次，本次为第次"),
        "{notice}"
    );
}

#[test]
fn rare_characters_fall_back_to_system_fonts() {
    let noto = PathBuf::from("/usr/share/fonts/opentype/noto");
    assert!(
        noto.is_dir(),
        "no system CJK fonts: apt-get install fonts-noto-cjk"
    );
    let renderer = PdfRenderer::with_font_dirs(&[noto]).unwrap();
    let mut sheet = samples::onsite_record();
    if let Form::OnsiteRecord(f) = &mut sheet.form {
        // 喆 and 堃 are outside GB 2312, so outside the vendored subset.
        f.subject.name = "王喆堃".into();
    }
    let dir = scratch("fallback");
    let path = dir.join("fallback.pdf");
    std::fs::write(&path, renderer.render(&sheet).unwrap()).unwrap();
    assert!(pdf_text(&path, None).contains("王喆堃"));
    let fonts = run("pdffonts", &[path.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&fonts.stdout).contains("CJK"),
        "a Noto CJK font supplied the rare characters"
    );
}

/// LibreOffice allows one instance per profile: conversions are serialised,
/// with a profile of this test run's own.
fn libreoffice_to_pdf(docx_files: &[PathBuf], out: &Path) {
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let profile =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("lo-profile-{}", std::process::id()));
    let profile = format!("-env:UserInstallation=file://{}", profile.display());
    let mut args = vec![
        profile.as_str(),
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        out.to_str().unwrap(),
    ];
    args.extend(docx_files.iter().map(|f| f.to_str().unwrap()));
    let result = match Command::new("libreoffice").args(&args).output() {
        Ok(r) => r,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            panic!("`libreoffice` is not installed: {APT}")
        }
        Err(e) => panic!("running libreoffice: {e}"),
    };
    assert!(
        result.status.success(),
        "libreoffice failed: {}",
        String::from_utf8_lossy(&result.stderr)
    );
}

#[test]
fn every_docx_opens_in_libreoffice_with_its_fields() {
    let dir = scratch("docx");
    let mut sheets = samples::all();
    sheets.push(samples::voided(samples::onsite_record()));
    let mut files = Vec::new();
    for (i, sheet) in sheets.iter().enumerate() {
        let bytes = docx(sheet).unwrap();
        assert!(bytes.starts_with(b"PK"), "a DOCX is a zip");
        let path = dir.join(format!("{i}-{}.docx", name_of(sheet)));
        std::fs::write(&path, bytes).unwrap();
        files.push(path);
    }
    libreoffice_to_pdf(&files, &dir);
    for (sheet, file) in sheets.iter().zip(&files) {
        let pdf = file.with_extension("pdf");
        assert!(pdf.exists(), "LibreOffice converted {}", file.display());
        let text = pdf_text(&pdf, None);
        let name = name_of(sheet);
        assert!(text.contains(samples::ENTERPRISE), "{name}: {text}");
        if let Some(number) = number_of(sheet) {
            assert!(
                text.contains(&squash(number)),
                "{name}: the number {number}\n{text}"
            );
        }
        let images = run("pdfimages", &["-list", pdf.to_str().unwrap()]);
        let listing = String::from_utf8_lossy(&images.stdout);
        // pdfimages -list: two header lines, then one line per image with
        // its page number first.
        let pages_with_images: std::collections::BTreeSet<usize> = listing
            .lines()
            .skip(2)
            .filter_map(|l| l.split_whitespace().next()?.parse().ok())
            .collect();
        if sheet.seal.is_some() {
            assert!(
                !pages_with_images.is_empty(),
                "{name}: the seal picture is in the DOCX"
            );
        }
        if sheet.voided {
            let total = pages(&pdf);
            assert_eq!(pages_with_images.len(), total, "{name}: 作废 on every page");
        }
        if matches!(sheet.form, Form::OnsiteRecord(_)) {
            let total = pages(&pdf);
            assert!(total >= 3, "{name}: the findings run over pages");
            assert!(
                text.contains(&format!("第1页共{total}页")),
                "{name}: PAGE/NUMPAGES fields\n{text}"
            );
            assert!(text.contains("以下空白"), "{name}");
        }
    }
}

#[test]
fn html_pages_hold_the_fields_and_escape_user_text() {
    for sheet in samples::all() {
        let page = html(&sheet);
        let name = name_of(&sheet);
        assert!(page.starts_with("<!doctype html>"), "{name}");
        assert!(
            page.contains("@page") && page.contains("size: A4"),
            "{name}"
        );
        assert!(page.contains(samples::ENTERPRISE), "{name}");
        assert!(page.contains(samples::OFFICER_1.1), "{name}");
        if let Some(number) = number_of(&sheet) {
            assert!(page.contains(&format!("编号：{number}")), "{name}");
        }
        if sheet.seal.is_some() {
            assert!(page.contains("<svg"), "{name}: the seal");
        }
    }
    let notice = html(&samples::inspection_notice(TaskSource::Routine));
    assert_eq!(
        notice.matches("<div class=\"page").count(),
        2,
        "front and back"
    );
    assert!(notice
        .contains("年度行政检查频次上限：<span class=\"fill\" style=\"min-width:2em\">2</span>次"));
    let record = html(&samples::onsite_record());
    assert!(record.contains("counter(pages)") && record.contains("（以下空白）"));
    assert!(html(&samples::voided(samples::approval_form())).contains("作废"));

    let mut sheet = samples::approval_form();
    sheet.seal = Some("<script>alert(2)</script>".into());
    if let Form::ApprovalForm(f) = &mut sheet.form {
        f.enterprise_name = "<script>alert(1)</script>钢铁 & \"有限\"公司".into();
    }
    let page = html(&sheet);
    assert!(!page.contains("<script"), "user text is escaped");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;钢铁 &amp; &quot;有限&quot;公司"));
}

#[test]
fn the_seal_is_drawn_from_the_unit_name() {
    let svg = seal_svg(samples::UNIT);
    assert!(svg.starts_with("<svg") && svg.contains("<circle") && svg.contains("<polygon"));
    for c in samples::UNIT.chars() {
        assert!(svg.contains(&format!(">{c}</text>")), "{c} on the arc");
    }
    assert_ne!(seal_svg("唐山市生态环境局"), svg);
}
