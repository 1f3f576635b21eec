//! `cfg(yici_postgres)` when `YICI_TEST_DATABASE_URL` is set and not empty.
//! The integration tests' PostgreSQL variants are ignored without it, so that
//! a run without PostgreSQL reports them as skipped instead of passed.
//! (Cargo passes a build script's cfg to every target of the package.)

fn main() {
    println!("cargo:rustc-check-cfg=cfg(yici_postgres)");
    println!("cargo:rerun-if-env-changed=YICI_TEST_DATABASE_URL");
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("YICI_TEST_DATABASE_URL").is_ok_and(|url| !url.is_empty()) {
        println!("cargo:rustc-cfg=yici_postgres");
    }
}
