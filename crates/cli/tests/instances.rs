//! Three `menshen serve` processes on one PostgreSQL database and one Redis, as behind a load
//! balancer: offences spread over them climb one ladder, a sanction written on one blocks on
//! the others within a bound, a burst spread over them is one burst, and `kill -9` of one
//! under write load loses nothing acknowledged while the others keep serving. Runs with
//! `MENSHEN_TEST_BACKEND=postgres` (`scripts/test.sh` runs it on the servers of
//! `scripts/services.sh`); on the embedded store there is one instance, and it says so.

mod server;

use std::{
    process::Child,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use server::{free_port, request, start_with, token_with};

/// How long a write on one instance may take to be in force on another.
const BOUND: Duration = Duration::from_secs(3);

const SHARE: &str = "复制这条信息€Zx9CvB8nM7k€，打开【手机淘宝】即可查看";

struct Instances {
    children: Vec<Child>,
    ports: Vec<u16>,
    service: String,
    reviewer: String,
    url: String,
}

impl Drop for Instances {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn instances(name: &str, count: usize) -> Option<Instances> {
    let redis = std::env::var("MENSHEN_TEST_REDIS_URL").ok();
    instances_on(name, count, redis)
}

/// [`instances`] on the Redis at `redis` (the shared test server when `None` is not given).
fn instances_on(name: &str, count: usize, redis: Option<String>) -> Option<Instances> {
    if !menshen_state::store::testing::on_postgres() {
        eprintln!(
            "instances: not run on the embedded store; scripts/test.sh runs it on PostgreSQL"
        );
        return None;
    }
    let (dir, url) = menshen_state::store::testing::fresh(name);
    let url = url.expect("a database on PostgreSQL");
    let redis = redis.expect("MENSHEN_TEST_REDIS_URL, as scripts/services.sh prints it");
    let namespace = format!("{name}-{}", std::process::id());
    let env = [
        ("MENSHEN_DATABASE_URL", url.as_str()),
        ("MENSHEN_REDIS_URL", redis.as_str()),
    ];
    let service = token_with(&dir, "service", &env);
    let reviewer = token_with(&dir, "reviewer", &env);
    std::fs::write(
        dir.join("menshen.toml"),
        format!("redis_namespace = \"{namespace}\"\n"),
    )
    .unwrap();
    let config = dir.join("menshen.toml");
    let config = config.to_str().expect("a UTF-8 path");
    let ports: Vec<u16> = (0..count).map(|_| free_port()).collect();
    let children = ports
        .iter()
        .map(|port| start_with(&dir, *port, &env, &["--config", config]))
        .collect();
    Some(Instances {
        children,
        ports,
        service,
        reviewer,
        url,
    })
}

fn check(port: u16, token: &str, body: &serde_json::Value) -> serde_json::Value {
    let (status, answer) =
        request(port, "POST", "/v1/check", token, Some(&body.to_string())).unwrap();
    assert_eq!(status, 200, "{answer}");
    serde_json::from_str(&answer).unwrap()
}

/// Check on `port` until `done`, within [`BOUND`]; the last verdict and how long it took.
fn until(
    port: u16,
    token: &str,
    body: &serde_json::Value,
    done: impl Fn(&serde_json::Value) -> bool,
) -> (serde_json::Value, Duration) {
    let start = Instant::now();
    loop {
        let verdict = check(port, token, body);
        if done(&verdict) || start.elapsed() > BOUND {
            return (verdict, start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn three_instances_keep_one_ladder_one_set_of_sanctions_and_one_burst() {
    let Some(group) = instances("cli-instances", 3) else {
        return;
    };
    let [a, b, c] = [group.ports[0], group.ports[1], group.ports[2]];
    let service = group.service.as_str();

    // Offences spread over the three climb one ladder, in order.
    let moment =
        |id: &str| serde_json::json!({"id": id, "scene": "moment", "sender": "u1", "text": SHARE});
    let first = check(a, service, &moment("m1"));
    assert_eq!(first["enforcement"]["sanction"]["strikes"], 1, "{first}");
    let second = check(b, service, &moment("m2"));
    assert_eq!(
        (
            &second["enforcement"]["sanction"]["kind"],
            &second["enforcement"]["sanction"]["strikes"]
        ),
        (&serde_json::json!("restrict"), &serde_json::json!(2)),
        "{second}"
    );
    let chat = serde_json::json!({"scene": "direct", "sender": "u1", "text": SHARE});
    let (third, took) = until(c, service, &chat, |v| v["action"] == "block");
    eprintln!("instances: B's restriction in force on C after {took:?}");
    assert_eq!(third["action"], "block", "{third}");

    // A sanction written on one blocks on the others within the bound.
    let text = serde_json::json!({"text": "便宜好货 https://shop.evil-mall.com/x"});
    let ban = r#"{"target":{"kind":"domain","id":"evil-mall.com"},"reason":"counterfeit goods","step":{"kind":"permanent"}}"#;
    let (status, answer) = request(a, "POST", "/v1/sanctions", &group.reviewer, Some(ban)).unwrap();
    assert_eq!(status, 200, "{answer}");
    for port in [b, c] {
        let (verdict, took) = until(port, service, &text, |v| v["action"] == "block");
        eprintln!("instances: the ban written on A blocked on {port} after {took:?}");
        assert_eq!(verdict["action"], "block", "{verdict}");
    }

    // A burst spread over the three is one burst: 36 friend requests, 12 on each.
    let mut names = Vec::new();
    for n in 0..36 {
        let port = group.ports[n % 3];
        let body =
            format!(r#"{{"events":[{{"kind":"friend_request","from":"bulk","to":"v{n}"}}]}}"#);
        let (status, answer) = request(port, "POST", "/v1/events", service, Some(&body)).unwrap();
        assert_eq!(status, 200, "{answer}");
        let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
        for signal in answer["signals"].as_array().into_iter().flatten() {
            names.push(signal["name"].as_str().unwrap_or_default().to_owned());
        }
    }
    assert_eq!(names, ["bulk_friend_requests"], "one burst, one signal");
}

#[test]
fn kill_9_of_one_instance_under_write_load_loses_nothing_acknowledged() {
    let Some(mut group) = instances("cli-instances-kill", 3) else {
        return;
    };
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let writers: Vec<_> = group
        .ports
        .clone()
        .into_iter()
        .enumerate()
        .map(|(writer, port)| {
            let (acknowledged, reviewer) = (Arc::clone(&acknowledged), group.reviewer.clone());
            std::thread::spawn(move || {
                for i in 0..150 {
                    let account = format!("w{writer}-{i}");
                    let body = format!(
                        r#"{{"target":{{"kind":"account","id":"{account}"}},"reason":"load"}}"#
                    );
                    match request(port, "POST", "/v1/sanctions", &reviewer, Some(&body)) {
                        Ok((200, _)) => acknowledged.lock().unwrap().push(account),
                        // The killed instance stops answering; the others go on.
                        _ if writer == 1 => break,
                        other => panic!("instance {port} failed: {other:?}"),
                    }
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(20);
    while acknowledged.lock().unwrap().len() < 60 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    group.children[1].kill().unwrap(); // SIGKILL
    group.children[1].wait().unwrap();
    for writer in writers {
        writer
            .join()
            .expect("the instances still up kept answering");
    }
    // Every acknowledged sanction is in the database.
    let acknowledged = acknowledged.lock().unwrap().clone();
    let url = group.url.clone();
    let stored: Vec<String> = std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        client
            .query("SELECT target_id FROM sanctions", &[])
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect()
    })
    .join()
    .unwrap();
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|a| !stored.contains(a))
        .collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged sanctions lost: {lost:?}",
        lost.len()
    );
    assert!(
        acknowledged.len() >= 200,
        "only {} acknowledged",
        acknowledged.len()
    );
    for port in [group.ports[0], group.ports[2]] {
        let (status, _) = request(port, "GET", "/healthz", "", None).unwrap();
        assert_eq!(status, 200, "instance {port} still serving");
    }
}

/// A Redis of the test's own (Debian's `redis-server`, which `scripts/services.sh` installs),
/// so that stopping it touches no other test.
struct OwnRedis {
    child: Child,
    url: String,
}

impl OwnRedis {
    fn start() -> OwnRedis {
        let port = free_port();
        let child = std::process::Command::new("redis-server")
            .args([
                "--bind",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server (apt-get install redis-server)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not come up");
            std::thread::sleep(Duration::from_millis(20));
        }
        OwnRedis {
            child,
            url: format!("redis://127.0.0.1:{port}/"),
        }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Redis stopped under load: what degrades is the windows (each instance then counts only what
/// it saw); checks, sanctions and their spread to every instance do not depend on it.
#[test]
fn with_redis_stopped_checks_and_sanctions_stay_correct_and_windows_fall_back() {
    if !menshen_state::store::testing::on_postgres() {
        eprintln!(
            "instances: not run on the embedded store; scripts/test.sh runs it on PostgreSQL"
        );
        return;
    }
    let mut redis = OwnRedis::start();
    let Some(group) = instances_on("cli-instances-redis", 2, Some(redis.url.clone())) else {
        return;
    };
    let [a, b] = [group.ports[0], group.ports[1]];
    let service = group.service.as_str();
    let request_friend = |port: u16, n: usize| {
        let body =
            format!(r#"{{"events":[{{"kind":"friend_request","from":"bulk","to":"v{n}"}}]}}"#);
        let (status, answer) = request(port, "POST", "/v1/events", service, Some(&body)).unwrap();
        assert_eq!(status, 200, "{answer}");
        answer.contains("bulk_friend_requests")
    };
    for n in 0..10 {
        request_friend(if n % 2 == 0 { a } else { b }, n);
    }
    redis.stop();
    // Checks and a sanction written on A in force on B, with Redis gone.
    let ban = r#"{"target":{"kind":"domain","id":"evil-mall.com"},"reason":"counterfeit goods","step":{"kind":"permanent"}}"#;
    let (status, answer) = request(a, "POST", "/v1/sanctions", &group.reviewer, Some(ban)).unwrap();
    assert_eq!(status, 200, "{answer}");
    let text = serde_json::json!({"text": "便宜好货 https://shop.evil-mall.com/x"});
    let (verdict, _) = until(b, service, &text, |v| v["action"] == "block");
    assert_eq!(verdict["action"], "block", "{verdict}");
    // Windows: B alone now. B saw 5 of the first 10 itself; the threshold of 30 is reached at
    // its 25th request more (n = 34) from its own count, where the shared count (10 before the
    // stop) would have reached it at the 20th (n = 29).
    let fired: Vec<usize> = (10..45).filter(|n| request_friend(b, *n)).collect();
    assert_eq!(fired, [34], "one signal, from B's own window");
}
