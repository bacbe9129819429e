//! Fuzz profile loading: any file an operator could write loads or is refused with
//! diagnostics, never a panic; a profile that loads decides a message without one.
//! Run: `bash scripts/fuzz.sh profile 60`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use menshen_policy::{Policy, Sanctions, Scene, Situation};

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else { return };
    // Alone, not beside the shipped profiles: compiling those on every input would leave
    // the fuzzer a few runs a second.
    let files = [("fuzz.toml".to_owned(), source.to_owned())];
    match Policy::load(&files, "wechat") {
        Err(errors) => assert!(!errors.0.is_empty(), "a refusal names its problems"),
        Ok(policy) => {
            let facts = menshen_detect::Facts::default();
            for profile in policy.profiles() {
                let _ = policy.decide(profile, &facts, Situation::new(Scene::Moment, &Sanctions::default()));
            }
        }
    }
});
