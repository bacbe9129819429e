//! Reloading swaps the whole policy atomically; a broken file keeps the old one in force.

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use menshen_policy::{LivePolicy, Policy};

fn shipped() -> Vec<(String, String)> {
    menshen_policy::embedded_files()
}

fn with(extra: &str) -> Vec<(String, String)> {
    let mut files = shipped();
    files.push(("ops.toml".into(), extra.into()));
    files
}

const GOOD: &str =
    "name = \"ops\"\neffective = \"2030-01-01T00:00:00Z\"\nextends = \"open-2021\"\n";

#[test]
fn a_broken_reload_keeps_the_old_policy() {
    let live = LivePolicy::new(Policy::load(&shipped(), "wechat").unwrap());
    let before: Vec<String> = live
        .current()
        .profiles()
        .iter()
        .map(|p| p.version.clone())
        .collect();
    let error = live
        .reload(&with("name = \"ops\"\neffective = \"never\"\n"), "wechat")
        .unwrap_err();
    assert!(
        error.0[0].to_string().starts_with("ops.toml:2:13:"),
        "{error}"
    );
    let after: Vec<String> = live
        .current()
        .profiles()
        .iter()
        .map(|p| p.version.clone())
        .collect();
    assert_eq!(before, after);
    live.reload(&with(GOOD), "wechat").unwrap();
    assert!(live.current().profile("ops").is_some());
}

#[test]
fn readers_see_one_whole_policy_or_the_other_during_reloads() {
    let live = Arc::new(LivePolicy::new(Policy::load(&shipped(), "wechat").unwrap()));
    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (live, stop) = (Arc::clone(&live), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut seen = 0;
                while !stop.load(Ordering::Relaxed) {
                    let policy = live.current();
                    let count = policy.profiles().len();
                    assert!(
                        count == 2 || count == 3,
                        "a policy is never half loaded: {count}"
                    );
                    assert_eq!(policy.profile("ops").is_some(), count == 3);
                    seen += 1;
                }
                seen
            })
        })
        .collect();
    for round in 0..50 {
        let files = if round % 2 == 0 {
            with(GOOD)
        } else {
            shipped()
        };
        live.reload(&files, "wechat").unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    for reader in readers {
        assert!(reader.join().expect("no reader panicked") > 0);
    }
}
