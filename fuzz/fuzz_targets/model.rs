//! Fuzz model files: any bytes are a model or a clear error, never a panic or an
//! allocation the file's size does not justify. Run: `bash scripts/fuzz.sh model 60`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(model) = menshen_detect::score::Model::read(data) {
        let _ = model.probability(&[1, 2, 3]);
    }
});
