//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The shared research folder that CI places beside the checkout (`../shared`), or
/// `MENSHEN_SHARED` when set. Tests that need it fail with this message when it is missing,
/// rather than passing without having run.
pub fn shared_dir() -> PathBuf {
    let dir = std::env::var_os("MENSHEN_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    assert!(
        dir.join("DESIGN.md").exists(),
        "the shared folder is not at {}: check it out beside the repository or set MENSHEN_SHARED",
        dir.display()
    );
    dir
}

pub fn read_shared(path: &str) -> String {
    let path = shared_dir().join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
