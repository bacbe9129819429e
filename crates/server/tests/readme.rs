//! The README's server walk-through is a test: the request bodies are read from the README
//! itself and sent to an in-process server, and the actions, sanctions and answers the README
//! shows are compared with what comes back. Edit the README's example and this follows it.

mod common;

use axum::{body::Body, http::Request};
use common::*;
use serde_json::{Value, json};

const README: &str = include_str!("../../../README.md");

/// The README's text from `heading` to the next heading of any level.
fn section(heading: &str) -> &'static str {
    let start = README
        .find(heading)
        .unwrap_or_else(|| panic!("no `{heading}` in the README"));
    let rest = &README[start + heading.len()..];
    &rest[..rest.find("\n#").unwrap_or(rest.len())]
}

/// The fenced blocks of a section with their info string.
fn blocks(section: &str) -> Vec<(&str, &str)> {
    let mut found = Vec::new();
    let mut rest = section;
    while let Some(open) = rest.find("```") {
        let after = &rest[open + 3..];
        let info_end = after.find('\n').unwrap();
        let body = &after[info_end + 1..];
        let close = body.find("```").unwrap();
        found.push((&after[..info_end], &body[..close]));
        rest = &body[close + 3..];
    }
    found
}

/// Every `-d '…'` body of a shell block.
fn bodies(shell: &str) -> Vec<&str> {
    shell
        .split("-d '")
        .skip(1)
        .map(|piece| {
            // The body ends at the quote that closes the argument: `'` then `;`, space or end.
            let mut end = 0;
            for (i, c) in piece.char_indices() {
                if c == '\''
                    && piece[i + 1..]
                        .chars()
                        .next()
                        .is_none_or(|n| n == ';' || n.is_whitespace())
                {
                    end = i;
                    break;
                }
            }
            &piece[..end]
        })
        .collect()
}

/// The words of `for VAR in WORDS; do`.
fn loop_words<'a>(shell: &'a str, var: &str) -> Vec<&'a str> {
    let start = shell.find(&format!("for {var} in ")).expect("a loop") + 8 + var.len();
    shell[start..shell[start..].find(';').unwrap() + start]
        .split_whitespace()
        .collect()
}

async fn post(server: &Server, path: &str, token: &str, body: &str, english: bool) -> Value {
    let mut request = Request::builder()
        .method("POST")
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json");
    if english {
        request = request.header("accept-language", "en");
    }
    let (status, value) = server
        .send(request.body(Body::from(body.to_owned())).unwrap())
        .await;
    assert!(status.is_success(), "{path} {body}: {status} {value}");
    value
}

#[tokio::test]
async fn the_ladder_walk_through_answers_as_shown() {
    let section = section("### The server in two minutes");
    let blocks = blocks(section);
    let (_, shell) = blocks
        .iter()
        .find(|(info, _)| *info == "sh")
        .expect("the commands");
    let (_, shown) = blocks
        .iter()
        .find(|(info, _)| *info == "text")
        .expect("the answers");
    let template = bodies(shell)[0];
    let english = shell.contains("accept-language: en");
    // One shown answer per request: each starts with `{"action"`.
    let answers: Vec<String> = shown
        .split("\n{")
        .map(|a| a.trim_start_matches('{').to_owned())
        .collect();
    let scenes = loop_words(shell, "scene");
    assert_eq!(scenes.len(), answers.len(), "one answer shown per request");
    let server = server("readme-ladder");
    for (scene, answer) in scenes.iter().zip(&answers) {
        let body = template.replace("'$scene'", scene);
        let got = post(&server, "/v1/check", &server.service, &body, english).await;
        let field = |name: &str| {
            let key = format!("\"{name}\":\"");
            answer.find(&key).map(|at| {
                let rest = &answer[at + key.len()..];
                rest[..rest.find('"').unwrap()].to_owned()
            })
        };
        assert_eq!(
            field("action").as_deref(),
            got["action"].as_str(),
            "{scene}: {got}"
        );
        assert_eq!(
            field("rule").as_deref(),
            got["reasons"][0]["rule"].as_str(),
            "{got}"
        );
        let sanction = &got["enforcement"]["sanction"];
        assert_eq!(field("kind").as_deref(), sanction["kind"].as_str(), "{got}");
        if answer.contains("\"sanction\"") {
            assert_eq!(
                field("function").as_deref(),
                sanction["function"].as_str(),
                "{got}"
            );
        }
        if let Some(message) = field("message") {
            let prefix = message.trim_end_matches('…').trim_end();
            let actual = got["reasons"][0]["message"].as_str().unwrap();
            assert!(
                actual.starts_with(prefix),
                "shown `{message}`, got `{actual}`"
            );
        }
    }
}

#[tokio::test]
async fn the_report_and_appeal_walk_through_answers_as_shown() {
    let section = section("### Reports and the review console");
    let blocks = blocks(section);
    let shells: Vec<&str> = blocks
        .iter()
        .filter(|(info, _)| *info == "sh")
        .map(|(_, b)| *b)
        .collect();
    let (_, shown) = blocks
        .iter()
        .find(|(info, _)| *info == "text")
        .expect("answers");
    let server = server("readme-reports");
    let template = bodies(shells[0])[0];
    let who = loop_words(shells[0], "who");
    let expected: Vec<Value> = shown
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(who.len(), expected.len());
    for (reporter, expected) in who.iter().zip(&expected) {
        let body = template.replace("'$who'", reporter);
        let got = post(&server, "/v1/reports", &server.service, &body, false).await;
        assert_eq!(&got, expected);
    }
    // The reviewer verifies case 1 (in the console; here through the same operation), and the
    // platform files the appeal the README shows, against the sanction that made.
    let resolved = post(
        &server,
        "/v1/cases/1/resolve",
        &server.reviewer,
        &json!({"outcome": "verify", "reason": "selling replica watches"}).to_string(),
        false,
    )
    .await;
    let appeal: Value = serde_json::from_str(bodies(shells[1])[0]).expect("an appeal body");
    assert_eq!(
        appeal["sanction"], resolved["sanction"]["id"],
        "the README names it"
    );
    let filed = post(
        &server,
        "/v1/appeals",
        &server.service,
        bodies(shells[1])[0],
        false,
    )
    .await;
    assert_eq!(filed["state"], "open", "{filed}");
}
