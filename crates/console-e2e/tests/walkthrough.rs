//! A reviewer's day in the console, in headless Chromium: two users report a seller, the
//! reviewer signs in, reads the case with its facts marked, verifies it (the ladder gives a
//! warning), the seller appeals, the reviewer reverses, and the seller's record is clean again.
//! Screenshots of each page go to `target/browser-artifacts/`.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::Arc,
    time::Duration,
};

use fantoccini::{Client, ClientBuilder, Locator};
use menshen_server::{App, ServerConfig, router};
use menshen_state::{
    store::{SqliteStore, Store},
    token::Role,
};
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on loopback")
}

async fn start_driver() -> Driver {
    for tool in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            Path::new(tool).exists(),
            "{tool} is missing: the console's browser tests need Debian's chromium and \
             chromium-driver; install them with `bash scripts/install-browser.sh`"
        );
    }
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    // Owned at once, so that it is stopped however the wait ends.
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start listening on port {port}");
}

async fn browser(driver: &Driver, profile: &Path) -> Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1280,1400",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    // chromedriver listens on loopback: plain HTTP, no TLS stack needed.
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a Chromium session through chromedriver")
}

/// The server on a free loopback port, with a fresh store and three tokens.
async fn start_server(dir: &Path) -> (String, [String; 3]) {
    let _ = std::fs::remove_dir_all(dir);
    let mut store = SqliteStore::open(dir).unwrap();
    let tokens = [
        store.create_token("platform", Role::Service, 0).unwrap(),
        store.create_token("rita", Role::Reviewer, 0).unwrap(),
        store.create_token("root", Role::Admin, 0).unwrap(),
    ];
    drop(store);
    // The walkthrough reads the English console, whatever language the browser asks for.
    let app = App::open(ServerConfig {
        data_dir: dir.to_owned(),
        locale: menshen_i18n::Locale::En,
        ..ServerConfig::default()
    })
    .unwrap();
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router(Arc::clone(&app))).await;
    });
    (base, tokens)
}

async fn api(base: &str, token: &str, method: &str, path: &str, body: Option<Value>) -> Value {
    // The API client is built with the server's TLS stack, which leaves the provider to us.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let url = format!("{base}{path}");
    let request = match method {
        "POST" => client.post(url).json(&body.unwrap_or(json!({}))),
        _ => client.get(url),
    };
    let response = request.bearer_auth(token).send().await.unwrap();
    let status = response.status();
    let value: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{method} {path}: {status} {value}");
    value
}

fn artifacts() -> PathBuf {
    // Under the cargo target directory, wherever CARGO_TARGET_DIR puts it (cargo gives
    // integration tests `<target>/tmp`).
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../browser-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG"), "{name} is a PNG");
    std::fs::write(artifacts().join(format!("{name}.png")), png).unwrap();
}

async fn fill(client: &Client, css: &str, text: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .send_keys(text)
        .await
        .unwrap();
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Wait (up to ten seconds) for an element: clicks that submit forms return before the next
/// page has loaded.
async fn wait_for(client: &Client, css: &str) {
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} never appeared: {e}"));
}

async fn wait_for_path(client: &Client, path: &str) {
    for _ in 0..100 {
        if client.current_url().await.unwrap().path() == path {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "never reached {path}: at {}",
        client.current_url().await.unwrap()
    );
}

async fn text_of(client: &Client, css: &str) -> String {
    wait_for(client, css).await;
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .text()
        .await
        .unwrap()
}

const SCAM: &str = "高仿名表原单，支持验货 <script>alert('x')</script> 加微信 abc12345 \u{202E}gnp.exe 详情 https://cheap-watch.top/deal";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_review_sanction_appeal_reversal() {
    let work = std::env::temp_dir().join(format!("menshen-e2e-{}", std::process::id()));
    let (base, [service, reviewer, _admin]) = start_server(&work.join("data")).await;
    let driver = start_driver().await;
    let client = browser(&driver, &work.join("chromium")).await;

    // Two users report the seller's message; a third report is about something else.
    for who in ["alice", "bob"] {
        api(&base, &service, "POST", "/v1/reports", Some(json!({
            "reporter": {"id": who, "account_age_days": 400},
            "subject": {"kind": "message", "id": "m-1001", "account": "seller-42", "text": SCAM},
            "reason": "counterfeit",
            "statement": "selling replica watches in our group",
            "evidence": {"messages": ["m-1001"], "excerpts": ["高仿名表原单"]},
        }))).await;
    }
    api(
        &base,
        &service,
        "POST",
        "/v1/reports",
        Some(json!({
            "reporter": {"id": "carol", "account_age_days": 30},
            "subject": {"kind": "account", "id": "loud-neighbour"},
            "reason": "harassment",
            "statement": "keeps messaging me",
        })),
    )
    .await;

    // Signing in with a wrong token fails; with the reviewer's token it lands on the queue.
    client.goto(&format!("{base}/console/login")).await.unwrap();
    fill(&client, "#token", "menshen_wrong").await;
    click(&client, "form[action='/console/login'] button").await;
    assert!(text_of(&client, ".error").await.contains("not known"));
    fill(&client, "#token", &reviewer).await;
    click(&client, "form[action='/console/login'] button").await;
    wait_for_path(&client, "/console/queue").await;
    let first_row = text_of(&client, "tbody tr").await;
    assert!(
        first_row.contains("counterfeit") && first_row.contains("seller-42"),
        "{first_row}"
    );
    screenshot(&client, "queue").await;

    // The case page: the text is shown as text, facts are marked, the bidi override is visible.
    click(&client, "tbody tr a").await;
    wait_for(&client, ".content").await;
    let content = text_of(&client, ".content").await;
    assert!(
        content.contains("<script>alert('x')</script>"),
        "shown, not run: {content}"
    );
    assert!(content.contains("⟦U+202E⟧"), "{content}");
    let marks = client
        .find_all(Locator::Css(".content mark.fact"))
        .await
        .unwrap();
    assert!(marks.len() >= 3, "terms, contact and link are marked");
    assert!(client.find(Locator::Css("mark.fact-link")).await.is_ok());
    let reports = text_of(&client, "section[aria-labelledby='reports-h']").await;
    assert!(
        reports.contains("reporter 2") && !reports.contains("alice"),
        "{reports}"
    );
    screenshot(&client, "case").await;

    // Verify: the ladder gives the seller a warning.
    fill(&client, "#verify-reason", "selling replica watches").await;
    click(&client, "form.verify button[type=submit]").await;
    assert!(text_of(&client, ".note").await.contains("Verified"));
    let sanctions = text_of(&client, "section[aria-labelledby='standing-h']").await;
    assert!(
        sanctions.contains("warning") && sanctions.contains("on record"),
        "{sanctions}"
    );
    screenshot(&client, "case-verified").await;

    // The reporters hear back through the API.
    let status = api(&base, &service, "GET", "/v1/reports/1", None).await;
    assert_eq!(status["outcome"], "verified");

    // The seller appeals; the reviewer reverses it in the console.
    let case = api(&base, &reviewer, "GET", "/v1/cases/1", None).await;
    let sanction = case["sanctions"][0]["id"].as_u64().unwrap();
    api(
        &base,
        &service,
        "POST",
        "/v1/appeals",
        Some(json!({
            "sanction": sanction, "appellant": "seller-42",
            "statement": "these are genuine, I have the receipts",
        })),
    )
    .await;
    client
        .goto(&format!("{base}/console/appeals"))
        .await
        .unwrap();
    let appeal = text_of(&client, "article.appeal").await;
    assert!(appeal.contains("I have the receipts"), "{appeal}");
    screenshot(&client, "appeals").await;
    fill(
        &client,
        "article.appeal input[name=reason]",
        "receipts check out",
    )
    .await;
    click(&client, "article.appeal button[value=reverse]").await;
    assert!(text_of(&client, ".note").await.contains("Reversed"));

    // The seller's record is clean: no strikes, the warning lifted.
    client
        .goto(&format!(
            "{base}/console/subjects?kind=account&id=seller-42"
        ))
        .await
        .unwrap();
    let standing = text_of(&client, "dl.standing").await;
    assert!(
        standing.contains("Content strikes\n0") || standing.contains("Content strikes 0"),
        "{standing}"
    );
    let sanctions = text_of(&client, "main").await;
    assert!(sanctions.contains("lifted"), "{sanctions}");
    screenshot(&client, "subject").await;

    // Signing out ends the session.
    click(&client, "form.signout button").await;
    wait_for_path(&client, "/console/login").await;
    client.goto(&format!("{base}/console/queue")).await.unwrap();
    wait_for_path(&client, "/console/login").await;

    client.close().await.unwrap();
    let _ = std::fs::remove_dir_all(&work);
}
