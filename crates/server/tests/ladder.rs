//! The ladder as a user meets it, with the server's clock moved by hand: every step restricts
//! what it says, refused attempts add nothing, nothing stacks on a permanent ban, and only the
//! sanctioned account appeals.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

const HOUR: i64 = 3600;

/// Post a share code to moments as `sender` and return the check.
async fn share_in_moments(server: &Server, sender: &str) -> serde_json::Value {
    server
        .check(json!({"scene": "moment", "sender": sender, "text": SHARE}))
        .await
}

#[tokio::test]
async fn every_step_of_the_content_ladder_restricts_the_offending_function() {
    let server = server("ladder-steps");
    let mut steps = Vec::new();
    // Each offence comes after the restriction before it has ended.
    for wait in [0, HOUR, 13 * HOUR, 25 * HOUR] {
        server.clock.advance(wait);
        let checked = share_in_moments(&server, "u1").await;
        let sanction = &checked["enforcement"]["sanction"];
        steps.push((
            sanction["kind"].as_str().unwrap_or("none").to_owned(),
            sanction["function"].as_str().map(str::to_owned),
            sanction["strikes"].as_u64(),
        ));
    }
    let share = Some("share_codes".to_owned());
    assert_eq!(
        steps,
        [
            ("warning".to_owned(), None, Some(1)),
            ("restrict".to_owned(), share.clone(), Some(2)),
            ("restrict".to_owned(), share.clone(), Some(3)),
            ("restrict".to_owned(), share, Some(4)),
        ]
    );
    // The fourth step is in force: share codes are refused in a chat for a week.
    server.clock.advance(24 * HOUR);
    let refused = server
        .check(json!({"scene": "direct", "sender": "u1", "text": SHARE}))
        .await;
    assert_eq!(refused["action"], "block");
    assert_eq!(refused["reasons"][0]["rule"], "restricted-share-codes");
}

#[tokio::test]
async fn refused_attempts_during_a_restriction_add_no_strikes() {
    let server = server("ladder-refused");
    share_in_moments(&server, "u1").await;
    share_in_moments(&server, "u1").await;
    for _ in 0..3 {
        let refused = share_in_moments(&server, "u1").await;
        assert!(refused["action"] == "block" || refused["action"] == "hide");
        assert_eq!(refused["enforcement"]["standing"]["content_strikes"], 2);
    }
    let (_, subject) = server
        .call(
            "GET",
            "/v1/subjects/account/u1",
            Some(&server.reviewer),
            None,
        )
        .await;
    assert_eq!(subject["sanctions"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn nothing_stacks_on_a_permanent_ban() {
    let server = server("ladder-permanent");
    let (status, ban) = server
        .call(
            "POST",
            "/v1/sanctions",
            Some(&server.reviewer),
            Some(
                json!({"target": {"kind": "account", "id": "u9"}, "reason": "fraud ring",
                        "step": {"kind": "permanent"}}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ban}");
    for _ in 0..2 {
        let (status, again) = server
            .call(
                "POST",
                "/v1/events",
                Some(&server.service),
                Some(json!({"events": [
                    {"kind": "login", "account": "u9", "device": "d-new", "ip": "198.51.100.4"}
                ]})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{again}");
    }
    let (_, issued) = server
        .call(
            "POST",
            "/v1/sanctions",
            Some(&server.reviewer),
            Some(json!({"target": {"kind": "account", "id": "u9"}, "reason": "still at it"})),
        )
        .await;
    assert_eq!(issued["id"], ban["id"], "the ban in force answers");
    let (_, subject) = server
        .call(
            "GET",
            "/v1/subjects/account/u9",
            Some(&server.reviewer),
            None,
        )
        .await;
    assert_eq!(subject["sanctions"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn only_the_sanctioned_account_appeals_and_a_refusal_uses_nothing_up() {
    let server = server("ladder-appeal");
    let warning = share_in_moments(&server, "u1").await;
    let sanction = warning["enforcement"]["sanction"]["id"].as_u64().unwrap();
    let appeal = |appellant: &'static str| json!({"sanction": sanction, "appellant": appellant, "statement": "not mine"});
    let (status, refused) = server
        .call(
            "POST",
            "/v1/appeals",
            Some(&server.service),
            Some(appeal("mallory")),
        )
        .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden")),
        "{refused}"
    );
    let (status, filed) = server
        .call(
            "POST",
            "/v1/appeals",
            Some(&server.service),
            Some(appeal("u1")),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the owner's appeal is still there: {filed}"
    );
    assert_eq!(filed["appellant"]["id"], "u1");
}

#[tokio::test]
async fn the_function_comes_from_the_reason_that_carries_the_strike() {
    let server = server("ladder-function");
    let (status, restricted) = server
        .call(
            "POST",
            "/v1/sanctions",
            Some(&server.reviewer),
            Some(
                json!({"target": {"kind": "account", "id": "u2"}, "reason": "link spam",
                        "function": "links_in_moments", "step": {"kind": "restrict", "hours": 24}}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{restricted}");
    // The strictest reason is the refusal of links in moments (no strike, no function of its
    // own); the strike is the share code's, and so is the function it takes away.
    let checked = share_in_moments(&server, "u2").await;
    assert_eq!(checked["reasons"][0]["rule"], "restricted-links-in-moments");
    let sanction = &checked["enforcement"]["sanction"];
    assert_eq!(sanction["kind"], "restrict", "{checked}");
    assert_eq!(sanction["function"], "share_codes");
    assert_eq!(sanction["rule"], "share-code-in-moment");
}

#[tokio::test]
async fn a_held_message_waits_in_a_case_and_strikes_follow_verification() {
    let server = server("ladder-hold");
    let held = server
        .check(json!({"id": "m7", "scene": "moment", "sender": "seller",
                      "text": "高仿包包 原单品质 加V❤ abc1234"}))
        .await;
    assert_eq!(held["action"], "hold", "{held}");
    let case = held["enforcement"]["case"].as_u64().expect("a case");
    assert!(
        held["enforcement"].get("sanction").is_none(),
        "no strike before review"
    );
    assert_eq!(held["enforcement"]["standing"]["content_strikes"], 0);
    let (_, queue) = server
        .call("GET", "/v1/cases", Some(&server.reviewer), None)
        .await;
    let listed = &queue.as_array().unwrap()[0];
    assert_eq!(listed["id"], case);
    assert_eq!(listed["reason"], "counterfeit");
    assert_eq!(listed["content"], "高仿包包 原单品质 加V❤ abc1234");
    let (status, resolved) = server
        .call(
            "POST",
            &format!("/v1/cases/{case}/resolve"),
            Some(&server.reviewer),
            Some(json!({"outcome": "verify", "reason": "counterfeit bags for sale"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{resolved}");
    let after = server
        .check(json!({"scene": "direct", "sender": "seller", "text": "在吗"}))
        .await;
    assert_eq!(after["enforcement"]["standing"]["content_strikes"], 1);
}

#[tokio::test]
async fn every_restricted_function_is_refused_at_the_event_it_governs() {
    let server = server("ladder-functions");
    for function in ["add_friends", "group_broadcast", "create_groups"] {
        let (status, body) = server
            .call(
                "POST",
                "/v1/sanctions",
                Some(&server.reviewer),
                Some(
                    json!({"target": {"kind": "account", "id": "bot1"}, "reason": "automation",
                            "function": function, "step": {"kind": "restrict", "hours": 24}}),
                ),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, result) = server
        .call(
            "POST",
            "/v1/events",
            Some(&server.service),
            Some(json!({"events": [
                {"kind": "friend_request", "from": "bot1", "to": "alice"},
                {"kind": "group_message", "sender": "bot1", "group": "g1", "text": "hi all"},
                {"kind": "forward", "sender": "bot1"},
                {"kind": "group_create", "actor": "bot1", "group": "g9"},
                {"kind": "group_invite", "actor": "bot1", "group": "g9", "count": 40},
                {"kind": "friend_request", "from": "alice", "to": "bob"}
            ]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    let refused: Vec<(u64, &str)> = result["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["index"].as_u64().unwrap(),
                r["function"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        refused,
        [
            (0, "add_friends"),
            (1, "group_broadcast"),
            (2, "group_broadcast"),
            (3, "create_groups"),
            (4, "create_groups")
        ]
    );
    assert!(
        result["refused"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("you cannot add friends until 20")
    );
}

#[tokio::test]
async fn recipients_choices_are_stored_and_each_gets_the_message_their_way() {
    let server = server("deliver");
    let (status, _) = server
        .call(
            "PUT",
            "/v1/preferences/alice",
            Some(&server.service),
            Some(json!({"categories": {"ecommerce": "plain_text"}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = server
        .call(
            "PUT",
            "/v1/preferences/bob",
            Some(&server.service),
            Some(json!({"domains": {"jd.com": "hide"}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, stored) = server
        .call("GET", "/v1/preferences/alice", Some(&server.service), None)
        .await;
    assert_eq!(stored["categories"]["ecommerce"], "plain_text");
    let verdict = server
        .check(json!({"scene": "group", "sender": "shop", "text": "这个不错 https://item.jd.com/100012345678.html"}))
        .await;
    assert_eq!(verdict["action"], "allow");
    let (status, deliveries) = server
        .call(
            "POST",
            "/v1/deliver",
            Some(&server.service),
            Some(json!({"verdict": verdict, "recipients": ["alice", "bob", "carol"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{deliveries}");
    let rendering = |i: usize| {
        deliveries[i]["links"][0]["rendering"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        [rendering(0), rendering(1), rendering(2)],
        ["plain_text", "hide", "open"]
    );
    let (status, _) = server
        .call(
            "PUT",
            "/v1/preferences/alice",
            Some(&server.reviewer),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "users' choices come through the platform"
    );
}
