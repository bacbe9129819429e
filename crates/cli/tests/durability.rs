//! Nothing acknowledged is lost: the server is killed with SIGKILL under write load,
//! restarted on the same store, and every sanction and appeal it acknowledged is there, and
//! the audit chain verifies.

mod server;

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use server::{free_port, id_of, menshen, request, start, token};

#[test]
fn sigkill_under_write_load_loses_nothing_acknowledged() {
    let dir = std::env::temp_dir().join(format!("menshen-durability-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let reviewer = token(&dir, "reviewer");
    let service = token(&dir, "service");
    let port = free_port();
    let mut server = start(&dir, port);

    let sanctions = Arc::new(Mutex::new(Vec::<(u64, String)>::new()));
    let appeals = Arc::new(Mutex::new(Vec::<u64>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let (sanctions, appeals, stop) = (Arc::clone(&sanctions), Arc::clone(&appeals), Arc::clone(&stop));
            let (reviewer, service) = (reviewer.clone(), service.clone());
            std::thread::spawn(move || {
                for i in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let account = format!("w{writer}-{i}");
                    let body = format!(r#"{{"target":{{"kind":"account","id":"{account}"}},"reason":"load test"}}"#);
                    let Ok((200, answer)) = request(port, "POST", "/v1/sanctions", &reviewer, Some(&body)) else {
                        break;
                    };
                    let sanction = id_of(&answer);
                    sanctions.lock().unwrap().push((sanction, account));
                    if i % 3 == 0 {
                        let body = format!(r#"{{"sanction":{sanction},"appellant":"w{writer}-{i}","statement":"not me"}}"#);
                        let Ok((200, answer)) = request(port, "POST", "/v1/appeals", &service, Some(&body)) else {
                            break;
                        };
                        appeals.lock().unwrap().push(id_of(&answer));
                    }
                }
            })
        })
        .collect();
    // Kill while the writers are mid-flight.
    let deadline = Instant::now() + Duration::from_secs(20);
    while sanctions.lock().unwrap().len() < 200 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    server.kill().unwrap(); // SIGKILL on Unix
    server.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.join().unwrap();
    }
    let sanctions = sanctions.lock().unwrap().clone();
    let appeals = appeals.lock().unwrap().clone();
    assert!(
        sanctions.len() >= 200,
        "only {} sanctions were acknowledged",
        sanctions.len()
    );

    let mut server = start(&dir, port);
    for (id, account) in &sanctions {
        let (status, body) =
            request(port, "GET", &format!("/v1/sanctions/{id}"), &reviewer, None).unwrap();
        assert_eq!(
            status, 200,
            "acknowledged sanction {id} is missing after the crash: {body}"
        );
        assert!(body.contains(&format!("\"id\":\"{account}\"")), "{body}");
    }
    for id in &appeals {
        let (status, _) =
            request(port, "GET", &format!("/v1/appeals/{id}"), &service, None).unwrap();
        assert_eq!(
            status, 200,
            "acknowledged appeal {id} is missing after the crash"
        );
    }
    server.kill().unwrap();
    server.wait().unwrap();

    let verify = menshen()
        .args(["audit", "verify", "--data"])
        .arg(&dir)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&verify.stdout);
    assert!(
        verify.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    let records: usize = report
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .unwrap_or(0);
    assert!(
        records >= sanctions.len() + appeals.len() + 2,
        "{records} audit records for {} sanctions, {} appeals and 2 tokens: {report}",
        sanctions.len(),
        appeals.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
