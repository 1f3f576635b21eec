//! PDF rendering speed per document kind: renders each sample sheet N times
//! (after one warm-up) and prints p50/p99 in milliseconds, twice: the same
//! sheet again (typst's caches answer most of it), and a different sheet
//! each time (another number and enterprise name, as a server sees).
//!
//! `cargo run --release -p yici-documents --example bench_pdf [N]` (N = 50).

#[path = "../tests/samples/mod.rs"]
mod samples;

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(50);
    let started = Instant::now();
    let renderer = yici_documents::PdfRenderer::new()?;
    println!(
        "renderer built in {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    println!(
        "{:<26} {:>5} {:>8} {:>11} {:>11} {:>12} {:>12} {:>5}",
        "kind",
        "runs",
        "first ms",
        "same p50 ms",
        "same p99 ms",
        "fresh p50 ms",
        "fresh p99 ms",
        "KiB"
    );
    for sheet in samples::all() {
        let first = Instant::now();
        let pdf = renderer.render(&sheet)?;
        let first = first.elapsed().as_secs_f64() * 1e3;
        let mut times: Vec<f64> = (0..n)
            .map(|_| {
                let t = Instant::now();
                let pdf = renderer.render(&sheet).expect("renders");
                std::hint::black_box(pdf);
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        let mut fresh: Vec<f64> = (0..n)
            .map(|i| {
                let sheet = vary(&sheet, i);
                let t = Instant::now();
                let pdf = renderer.render(&sheet).expect("renders");
                std::hint::black_box(pdf);
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        times.sort_by(f64::total_cmp);
        fresh.sort_by(f64::total_cmp);
        let at = |v: &[f64], q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
        println!(
            "{:<26} {:>5} {:>8.1} {:>11.1} {:>11.1} {:>12.1} {:>12.1} {:>5}",
            sheet.form.kind().as_str(),
            n,
            first,
            at(&times, 0.50),
            at(&times, 0.99),
            at(&fresh, 0.50),
            at(&fresh, 0.99),
            pdf.len() / 1024
        );
    }
    Ok(())
}

/// The sheet with another number and enterprise name.
fn vary(sheet: &yici_domain::documents::Sheet, i: usize) -> yici_domain::documents::Sheet {
    let json = serde_json::to_string(sheet).expect("serialises");
    let json = json.replace(
        samples::ENTERPRISE,
        &format!("唐山市玉田县第{i}钢铁有限公司"),
    );
    let mut sheet: yici_domain::documents::Sheet =
        serde_json::from_str(&json).expect("deserialises");
    if sheet.number.is_some() {
        sheet.number = Some(format!("唐环〔2025〕11-{}号", i + 2));
    }
    sheet
}
