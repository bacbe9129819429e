//! Nothing acknowledged is lost: the server is killed with SIGKILL under write load,
//! restarted on the same store, and every sanction and appeal it acknowledged is there, and
//! the audit chain verifies.

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::Path,
    process::{Child, Command, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

fn menshen() -> Command {
    Command::new(env!("CARGO_BIN_EXE_menshen"))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn token(dir: &Path, role: &str) -> String {
    let out = menshen()
        .args(["token", "create", "--role", role, "--data"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn start(dir: &Path, port: u16) -> Child {
    let child = menshen()
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data"])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while request(port, "GET", "/healthz", "", None).is_err() {
        assert!(Instant::now() < deadline, "the server did not come up");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

/// One HTTP/1.1 request with `Connection: close`; the status and the body.
fn request(
    port: u16,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer {token}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status in {response:?}")))?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

fn id_of(body: &str) -> u64 {
    let value: serde_json::Value = serde_json::from_str(body).unwrap();
    value["id"].as_u64().unwrap()
}

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
