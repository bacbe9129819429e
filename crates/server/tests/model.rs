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
    let rows = |server: &Server| server.app.analyzer().model().map(|m| m.provenance.rows);
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
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("the model in force stays"),
        "{body}"
    );
    assert_eq!(rows(&server), Some(2));

    let plain = server_with("model-none", |_| {});
    let (status, _) = plain
        .call("POST", "/v1/model/reload", Some(&plain.admin), None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}
