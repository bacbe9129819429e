//! An in-process server over a fresh store, and requests against it.
#![allow(dead_code)]

use std::{path::PathBuf, sync::Arc};

use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode},
};
use http_body_util::BodyExt;
use menshen_server::{App, ManualClock, ServerConfig, router};
use menshen_state::token::Role;
use serde_json::Value;
use tower::ServiceExt;

pub struct Server {
    pub app: Arc<App>,
    /// The server's clock: it starts at the real time and moves only when a test moves it.
    pub clock: Arc<ManualClock>,
    pub router: Router,
    pub service: String,
    pub reviewer: String,
    pub admin: String,
    pub dir: PathBuf,
}

pub fn server(name: &str) -> Server {
    server_with(name, |_| {})
}

pub fn server_with(name: &str, configure: impl FnOnce(&mut ServerConfig)) -> Server {
    // The backend the run selects (`MENSHEN_TEST_BACKEND`): the same tests on both.
    let (dir, database_url) = menshen_state::store::testing::fresh(&format!("api-{name}"));
    let mut store = menshen_state::store::open(&dir, database_url.as_deref()).unwrap();
    let service = store.create_token("platform", Role::Service, 0).unwrap();
    let reviewer = store.create_token("rita", Role::Reviewer, 0).unwrap();
    let admin = store.create_token("root", Role::Admin, 0).unwrap();
    drop(store);
    // The tests read English texts; `locale.rs` covers the Chinese default.
    // On the shared backends, the windows are shared too: through Redis, under a namespace
    // of the test's own.
    let redis_url = database_url.as_ref().map(|_| {
        std::env::var("MENSHEN_TEST_REDIS_URL").expect(
            "the shared backends need MENSHEN_TEST_REDIS_URL too: eval \"$(bash scripts/services.sh start)\"",
        )
    });
    let mut config = ServerConfig {
        data_dir: dir.clone(),
        database_url,
        redis_url,
        redis_namespace: format!("test-{name}-{}", std::process::id()),
        locale: menshen_i18n::Locale::En,
        ..ServerConfig::default()
    };
    configure(&mut config);
    let clock = ManualClock::new(jiff::Timestamp::now().as_second());
    let app = App::open_with_clock(config, clock.clone()).unwrap();
    Server {
        clock,
        router: router(Arc::clone(&app)),
        app,
        service,
        reviewer,
        admin,
        dir,
    }
}

impl Server {
    /// Another instance on the same store (the same database, key and tokens), as a second
    /// `menshen serve` behind the load balancer.
    pub fn another_instance(&self) -> Server {
        let clock = ManualClock::new(self.app.now());
        let app = App::open_with_clock(self.app.config.clone(), clock.clone()).unwrap();
        Server {
            clock,
            router: router(Arc::clone(&app)),
            app,
            service: self.service.clone(),
            reviewer: self.reviewer.clone(),
            admin: self.admin.clone(),
            dir: self.dir.clone(),
        }
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let body = match body {
            Some(body) => {
                request = request.header("content-type", "application/json");
                Body::from(body.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).unwrap()).await
    }

    pub async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, value)
    }

    pub async fn check(&self, body: Value) -> Value {
        let (status, value) = self
            .call("POST", "/v1/check", Some(&self.service), Some(body))
            .await;
        assert_eq!(status, StatusCode::OK, "{value}");
        value
    }
}

pub const SHARE: &str = "复制这条信息€Zx9CvB8nM7k€，打开【手机淘宝】即可查看";
