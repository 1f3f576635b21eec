//! Writes every sample sheet as PDF, DOCX and HTML (and PNG pages when
//! poppler's `pdftoppm` is installed) under `target/document-previews/`,
//! for people to look at:
//! `cargo run -p yici-documents --example preview`.

#[path = "../tests/samples/mod.rs"]
mod samples;

use std::path::PathBuf;
use std::process::Command;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/document-previews");
    std::fs::create_dir_all(&out)?;
    let renderer = yici_documents::PdfRenderer::new()?;
    let filled = samples::all();
    let blanks = filled.iter().map(|s| ("blank-", samples::blank(s)));
    let voided = filled
        .iter()
        .map(|s| ("voided-", samples::voided(s.clone())));
    let all: Vec<_> = filled
        .iter()
        .map(|s| ("", s.clone()))
        .chain(blanks)
        .chain(voided)
        .collect();
    for (prefix, sheet) in all {
        let name = format!("{prefix}{}", sheet.form.kind().as_str());
        let pdf = out.join(format!("{name}.pdf"));
        std::fs::write(&pdf, renderer.render(&sheet)?)?;
        std::fs::write(
            out.join(format!("{name}.docx")),
            yici_documents::docx(&sheet)?,
        )?;
        std::fs::write(
            out.join(format!("{name}.html")),
            yici_documents::html(&sheet),
        )?;
        std::fs::write(
            out.join(format!("{name}.typ")),
            yici_documents::typst_source(&sheet),
        )?;
        let _ = Command::new("pdftoppm")
            .args(["-r", "60", "-png"])
            .arg(&pdf)
            .arg(out.join(&name))
            .status();
        println!("{}", pdf.display());
    }
    Ok(())
}
