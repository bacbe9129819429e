//! The README's command-line examples are tests: every ```console block in it runs here with
//! trycmd, `menshen` being this build's binary, from the repository's root, so an example
//! whose output drifts fails. Shown output may elide lines with `...` and parts of a line
//! with `[..]`. `TRYCMD=overwrite cargo test -p menshen-cli --test readme` rewrites them.

#[test]
fn readme_examples_run_as_shown() {
    // The examples name files from the root (examples/…); this is the only test of this
    // binary, so moving its working directory disturbs nothing else.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::env::set_current_dir(&root).expect("the repository's root");
    trycmd::TestCases::new()
        .register_bin("menshen", trycmd::cargo::cargo_bin!("menshen"))
        .case("README.md");
}
