//! Fuzz the analyzer: no input may panic, and every span must slice the input on character
//! boundaries. Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run analyze -- -max_total_time=300`
//! (cargo-fuzz needs nightly features; `RUSTC_BOOTSTRAP` enables them on stable).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use menshen_detect::Analyzer;

fuzz_target!(|data: &[u8]| {
    static ANALYZER: OnceLock<Analyzer> = OnceLock::new();
    let Ok(text) = std::str::from_utf8(data) else { return };
    let facts = ANALYZER.get_or_init(Analyzer::embedded).analyze(text);
    for span in facts.spans() {
        assert!(span.start < span.end && text.get(span.start..span.end).is_some(), "bad span {span:?}");
    }
});
