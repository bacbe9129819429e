//! Reports, the review queue and resolution through the HTTP API: intake and grouping, the
//! engine's view in priority, roles, masking of reporters, verify → ladder → appeal, dismissal,
//! feedback to reporters, and labelled examples.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{Value, json};

const SCAM: &str = "高仿名表原单，微信 abc12345 私聊，货到付款";

async fn report(server: &Server, reporter: &str, subject: Value, reason: &str) -> Value {
    let (status, filed) = server
        .call(
            "POST",
            "/v1/reports",
            Some(&server.service),
            Some(json!({
                "reporter": {"id": reporter, "account_age_days": 500},
                "subject": subject,
                "reason": reason,
                "statement": "selling fakes in our group",
                "evidence": {"messages": ["m1"], "excerpts": ["高仿名表"]},
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{filed}");
    filed
}

fn message() -> Value {
    json!({"kind": "message", "id": "m1", "account": "seller", "text": SCAM})
}

#[tokio::test]
async fn reports_make_one_case_that_a_reviewer_verifies_through_the_ladder() {
    let server = server("reports-verify");
    let first = report(&server, "alice", message(), "counterfeit").await;
    let second = report(&server, "bob", message(), "counterfeit").await;
    assert_eq!(first["case"], second["case"]);
    assert_eq!(first["state"], "open");
    let case = first["case"].as_u64().unwrap();

    // The queue has it; the reviewer reads reporters by number and reliability, not name.
    let (status, queue) = server
        .call("GET", "/v1/cases", Some(&server.reviewer), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(queue[0]["id"], case);
    assert_eq!(queue[0]["reporters"], 2);
    let (_, detail) = server
        .call(
            "GET",
            &format!("/v1/cases/{case}"),
            Some(&server.reviewer),
            None,
        )
        .await;
    assert_eq!(detail["reports"][0]["reporter"], "reporter 1");
    assert_eq!(detail["reports"][1]["reporter"], "reporter 2");
    assert!(detail["reports"][0]["reporter_device"].is_null());
    assert_eq!(detail["target"]["id"], "seller");
    let contacts = detail["analysis"]["facts"]["contacts"].as_array().unwrap();
    assert!(
        !contacts.is_empty(),
        "the engine's facts are shown: {detail}"
    );
    let (_, as_admin) = server
        .call(
            "GET",
            &format!("/v1/cases/{case}"),
            Some(&server.admin),
            None,
        )
        .await;
    assert_eq!(as_admin["reports"][0]["reporter"], "alice");

    // Take it, verify it: the ladder gives the first step to the message's author.
    let (status, taken) = server
        .call(
            "POST",
            "/v1/cases/next",
            Some(&server.reviewer),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{taken}");
    assert_eq!(
        (taken["id"].as_u64(), taken["state"].as_str()),
        (Some(case), Some("assigned"))
    );
    let (status, resolved) = server
        .call(
            "POST",
            &format!("/v1/cases/{case}/resolve"),
            Some(&server.reviewer),
            Some(json!({"outcome": "verify", "reason": "selling replica watches"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{resolved}");
    assert_eq!(resolved["case"]["state"], "resolved");
    assert_eq!(resolved["sanction"]["kind"], "warning");
    assert_eq!(resolved["sanction"]["target"]["id"], "seller");
    let sanction = resolved["sanction"]["id"].as_u64().unwrap();

    // The reporter reads the outcome; the seller's standing shows the strike.
    let report_id = first["report"].as_u64().unwrap();
    let (_, status_of) = server
        .call(
            "GET",
            &format!("/v1/reports/{report_id}"),
            Some(&server.service),
            None,
        )
        .await;
    assert_eq!(status_of["outcome"], "verified");
    assert_eq!(status_of["reason"], "selling replica watches");
    let (_, subject) = server
        .call(
            "GET",
            "/v1/subjects/account/seller",
            Some(&server.reviewer),
            None,
        )
        .await;
    assert_eq!(subject["standing"]["content_strikes"], 1);

    // The seller appeals; reversal reverses the strike and relabels the example.
    let (status, appeal) = server
        .call(
            "POST",
            "/v1/appeals",
            Some(&server.service),
            Some(json!({"sanction": sanction, "appellant": "seller", "statement": "they are real, receipts attached"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{appeal}");
    let appeal = appeal["id"].as_u64().unwrap();
    let (status, _) = server
        .call(
            "POST",
            &format!("/v1/appeals/{appeal}/decision"),
            Some(&server.admin),
            Some(json!({"reverse": true, "reason": "receipts check out"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, subject) = server
        .call(
            "GET",
            "/v1/subjects/account/seller",
            Some(&server.reviewer),
            None,
        )
        .await;
    assert_eq!(subject["standing"]["content_strikes"], 0);
    let examples = server.app.read(|store| store.examples(10)).await.unwrap();
    assert_eq!(examples.len(), 1);
    assert!(!examples[0].spam, "reversed on appeal: labelled fine");
}

#[tokio::test]
async fn the_engine_raises_priority_for_content_it_already_distrusts() {
    let server = server("reports-engine");
    let plain = report(
        &server,
        "alice",
        json!({"kind": "message", "id": "m-plain", "account": "u1", "text": "明天几点开会？"}),
        "other",
    )
    .await;
    let share = report(
        &server,
        "alice",
        json!({"kind": "message", "id": "m-share", "account": "u2", "text": SHARE}),
        "marketing_spam",
    )
    .await;
    let (_, queue) = server
        .call("GET", "/v1/cases", Some(&server.reviewer), None)
        .await;
    let priority = |case: &Value| {
        queue
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == *case)
            .unwrap()["priority"]
            .as_f64()
            .unwrap()
    };
    assert!(
        priority(&share["case"]) > priority(&plain["case"]),
        "{queue}"
    );
    assert_eq!(queue[0]["id"], share["case"]);
}

#[tokio::test]
async fn escalated_cases_are_the_admins_and_dismissal_tells_the_reporter() {
    let server = server("reports-escalate");
    let filed = report(
        &server,
        "carol",
        json!({"kind": "account", "id": "famous"}),
        "fraud",
    )
    .await;
    let case = filed["case"].as_u64().unwrap();
    let (status, escalated) = server
        .call(
            "POST",
            &format!("/v1/cases/{case}/escalate"),
            Some(&server.reviewer),
            Some(json!({"reason": "a verified public account"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{escalated}");
    let (status, refused) = server
        .call(
            "POST",
            &format!("/v1/cases/{case}/resolve"),
            Some(&server.reviewer),
            Some(json!({"outcome": "dismiss", "reason": "no fraud"})),
        )
        .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );
    let (status, _) = server
        .call(
            "POST",
            &format!("/v1/cases/{case}/resolve"),
            Some(&server.admin),
            Some(json!({"outcome": "dismiss", "reason": "the giveaway is real"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let report = filed["report"].as_u64().unwrap();
    let (_, status_of) = server
        .call(
            "GET",
            &format!("/v1/reports/{report}"),
            Some(&server.service),
            None,
        )
        .await;
    assert_eq!(
        (status_of["state"].as_str(), status_of["outcome"].as_str()),
        (Some("resolved"), Some("dismissed"))
    );
    let outcomes = server
        .app
        .read(|store| store.due_notifications(i64::MAX, 100))
        .await
        .unwrap();
    assert!(
        outcomes
            .iter()
            .any(|n| n.topic == "report.outcome" && n.payload["reporter"] == "carol"),
        "{outcomes:?}"
    );
    let (status, _) = server
        .call(
            "POST",
            "/v1/cases/next",
            Some(&server.reviewer),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "the queue is empty");
}

#[tokio::test]
async fn report_routes_check_roles_and_input() {
    let server = server("reports-input");
    for (body, field) in [
        (
            json!({"reporter": {"id": "a"}, "subject": {"kind": "ip", "id": "1.2.3.4"}, "reason": "fraud"}),
            "subject.kind",
        ),
        (
            json!({"reporter": {"id": "a"}, "subject": {"kind": "account", "id": "u"}, "reason": "rude"}),
            "reason",
        ),
        (
            json!({"reporter": {"id": " "}, "subject": {"kind": "account", "id": "u"}, "reason": "fraud"}),
            "reporter.id",
        ),
        (
            json!({"reporter": {"id": "a"}, "subject": {"kind": "account", "id": "u"}, "reason": "other"}),
            "statement",
        ),
    ] {
        let (status, error) = server
            .call("POST", "/v1/reports", Some(&server.service), Some(body))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
        assert_eq!(error["field"], field, "{error}");
    }
    let filed = report(
        &server,
        "a",
        json!({"kind": "group", "id": "g1"}),
        "automation",
    )
    .await;
    let case = filed["case"].as_u64().unwrap();
    for (method, path) in [
        ("GET", "/v1/cases".to_owned()),
        ("GET", format!("/v1/cases/{case}")),
        ("POST", "/v1/cases/next".to_owned()),
    ] {
        let body = (method == "POST").then(|| json!({}));
        let (status, _) = server
            .call(method, &path, Some(&server.service), body)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}");
    }
    // A group has no account to sanction unless the reviewer names one.
    let (status, error) = server
        .call(
            "POST",
            &format!("/v1/cases/{case}/resolve"),
            Some(&server.reviewer),
            Some(json!({"outcome": "verify", "reason": "a push bot"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{error}");
    let (status, resolved) = server
        .call(
            "POST",
            &format!("/v1/cases/{case}/resolve"),
            Some(&server.reviewer),
            Some(json!({
                "outcome": "verify",
                "reason": "a push bot",
                "offence": {"target": {"kind": "account", "id": "owner"}, "step": {"kind": "login_ban", "hours": 24}}
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{resolved}");
    assert_eq!(resolved["sanction"]["ladder"], "automation");
    assert_eq!(resolved["sanction"]["overridden"], true);
    let (status, reasons) = server
        .call("GET", "/v1/reports/reasons", Some(&server.service), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reasons.as_array().unwrap().len(), 6);
}
