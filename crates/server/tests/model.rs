//! Swapping the spam model while the server runs: admins only, a bad file changes nothing.

mod common;

use axum::http::StatusCode;
use common::*;
use menshen_detect::score::{Model, Provenance};

fn write_model(path: &std::path::Path, rows: usize) {
    let model = Model::new(Provenance {
        rows,
        ..Provenance::default()
    });
    model
        .write(std::io::BufWriter::new(
            std::fs::File::create(path).unwrap(),
        ))
        .unwrap();
}

#[tokio::test]
async fn an_admin_reloads_the_model_and_a_broken_file_leaves_the_old_one() {
    let dir = std::env::temp_dir().join(format!("menshen-model-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("spam.model");
    write_model(&path, 1);
    let server = server_with("model", |config| config.model = Some(path.clone()));
    let rows = |server: &Server| {
        server
            .app
            .engine()
            .analyzer
            .model()
            .map(|m| m.provenance.rows)
    };
    assert_eq!(rows(&server), Some(1), "loaded at start");

    write_model(&path, 2);
    let (status, _) = server
        .call("POST", "/v1/model/reload", Some(&server.reviewer), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = server
        .call("POST", "/v1/model/reload", Some(&server.admin), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["model"]["rows"], 2);
    assert_eq!(rows(&server), Some(2));

    std::fs::write(&path, "not a model").unwrap();
    let (status, body) = server
        .call("POST", "/v1/model/reload", Some(&server.admin), None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("the engine in force stays"),
        "{body}"
    );
    assert_eq!(rows(&server), Some(2));
}

#[tokio::test]
async fn operators_profiles_lexicons_and_ladders_load_and_reload_atomically() {
    let dir = std::env::temp_dir().join(format!("menshen-operator-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let profile = dir.join("local.toml");
    let lexicon = dir.join("local.txt");
    let write = |threshold: &str, word: &str| {
        std::fs::write(
            &profile,
            format!(
                "name = \"local\"\neffective = \"2026-01-01T00:00:00Z\"\nextends = \"open-2021\"\n\
                 [[rule]]\nid = \"local-word\"\ndescription = \"x\"\nrequires = [\"terms\"]\n\
                 when = 'terms.exists(t, t.category == \"local\")'\naction = \"hold\"\nmessage = \"{threshold}\"\n"
            ),
        )
        .unwrap();
        std::fs::write(&lexicon, format!("{word}\tlocal\n")).unwrap();
    };
    write("held by the local rule", "秘密暗号");
    let server = server_with("operator", |config| {
        config.policies = vec![profile.clone()];
        config.lexicons = vec![lexicon.clone()];
        config.profile = Some("local".into());
    });
    let check = |text: &'static str| {
        let server = &server;
        async move {
            server
                .check(serde_json::json!({"scene": "group", "text": text}))
                .await
        }
    };
    assert_eq!(check("今天的秘密暗号是什么").await["action"], "hold");
    assert_eq!(check("今天的新暗语是什么").await["action"], "allow");
    write("held by the local rule", "新暗语");
    let (status, body) = server
        .call("POST", "/v1/policy/reload", Some(&server.admin), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(check("今天的新暗语是什么").await["action"], "hold");
    // A broken profile: every problem is told, and the engine in force stays.
    std::fs::write(&profile, "name = 3\n").unwrap();
    let (status, body) = server
        .call("POST", "/v1/policy/reload", Some(&server.admin), None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("local.toml"),
        "{body}"
    );
    assert_eq!(check("今天的新暗语是什么").await["action"], "hold");
}

#[tokio::test]
async fn shadow_rules_run_live_and_are_counted_in_metrics() {
    let dir = std::env::temp_dir().join(format!("menshen-shadow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let profile = dir.join("trial.toml");
    std::fs::write(
        &profile,
        "name = \"trial\"\neffective = \"2026-01-01T00:00:00Z\"\nextends = \"open-2021\"\n\
         [[rule]]\nid = \"trial-contacts\"\ndescription = \"x\"\nrequires = [\"contacts\"]\n\
         when = 'size(contacts) > 0'\naction = \"hold\"\nmessage = \"trial\"\nshadow = true\n",
    )
    .unwrap();
    let server = server_with("shadow", |config| {
        config.policies = vec![profile.clone()];
        config.profile = Some("trial".into());
    });
    let checked = server
        .check(serde_json::json!({"scene": "group", "text": "有事打我电话 13800138000"}))
        .await;
    assert_eq!(checked["action"], "allow", "shadow rules have no effect");
    assert_eq!(checked["shadow"][0]["rule"], "trial-contacts");
    let (_, metrics) = server.call("GET", "/metrics", None, None).await;
    assert!(
        metrics
            .as_str()
            .unwrap()
            .contains("menshen_shadow_matches_total{name=\"trial-contacts\"} 1"),
        "{metrics}"
    );
}
