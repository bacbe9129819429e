//! A broken profile is reported precisely: file, line, column, what is wrong, and every
//! problem at once.

use menshen_policy::Policy;

fn load_errors(source: &str) -> Vec<String> {
    match Policy::load(&[("my.toml".to_owned(), source.to_owned())], "wechat") {
        Ok(_) => Vec::new(),
        Err(e) => e.0.iter().map(ToString::to_string).collect(),
    }
}

const HEADER: &str = "name = \"mine\"\neffective = \"2024-01-01T00:00:00Z\"\n";

fn rule(when: &str, extra: &str) -> String {
    format!(
        "{HEADER}\n[[rule]]\nid = \"r\"\ndescription = \"d\"\nrequires = [\"links\"]\nwhen = '{when}'\naction = \"hide\"\nmessage = \"m\"\n{extra}"
    )
}

#[test]
fn cel_syntax_errors_point_into_the_file() {
    let errors = load_errors(&rule("scene == \"moment\" &&", ""));
    assert_eq!(errors.len(), 1, "{errors:?}");
    // `when = '` is on line 8; the expression starts at column 9 and ends at column 28.
    assert!(errors[0].starts_with("my.toml:8:29:"), "{}", errors[0]);
    assert!(errors[0].contains("rule `r`"), "{}", errors[0]);
}

#[test]
fn typos_inside_macros_are_caught_by_the_probe() {
    let errors = load_errors(&rule("links.exists(l, l.categroy == \"ecommerce\")", ""));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("my.toml:8:9: rule `r` cannot be evaluated"),
        "{}",
        errors[0]
    );
    assert!(errors[0].contains("categroy"), "{}", errors[0]);
    let errors = load_errors(&rule("scene == \"moment\" && flags.no_such_flag", ""));
    assert!(errors[0].contains("no_such_flag"), "{errors:?}");
    let errors = load_errors(&rule("sendr.strikes > 2", ""));
    assert!(errors[0].contains("sendr"), "{errors:?}");
    assert!(
        load_errors(&rule(
            "sender.strikes > 2 && size(sender.restrictions) == 0",
            ""
        ))
        .is_empty()
    );
}

#[test]
fn schema_errors_name_the_field() {
    let errors = load_errors(&rule("true", "").replace("action = \"hide\"", "action = \"delete\""));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("my.toml:9:10:"), "{}", errors[0]);
    assert!(errors[0].contains("delete"), "{}", errors[0]);
    let errors =
        load_errors(&rule("true", "").replace("requires = [\"links\"]", "requires = [\"urls\"]"));
    assert!(
        errors[0].starts_with("my.toml:7:13: unknown fact list `urls`"),
        "{errors:?}"
    );
    let errors = load_errors(&rule("true", "").replace("2024-01-01T00:00:00Z", "last tuesday"));
    assert!(
        errors[0].starts_with("my.toml:2:13: effective `last tuesday` is not an RFC 3339 time"),
        "{errors:?}"
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut source = rule("scene ==", "");
    source.push_str("\n[[rule]]\nid = \"r\"\ndescription = \"d\"\nwhen = 'true'\naction = \"hide\"\nmessage = \"m\"\n");
    source.push_str("\n[[rule]]\nid = \"Bad Id\"\ndescription = \"d\"\nwhen = 'true'\naction = \"hide\"\nmessage = \"m\"\n");
    let errors = load_errors(&source);
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("rule `r` is defined twice"))
    );
    assert!(errors.iter().any(|e| e.contains("rule id `Bad Id`")));
}

#[test]
fn extends_must_name_a_loaded_profile() {
    let errors = load_errors(&format!("{HEADER}extends = \"nowhere\"\n"));
    assert!(
        errors[0].starts_with("my.toml:3:11: extends `nowhere`"),
        "{errors:?}"
    );
}

#[test]
fn a_good_profile_loads_and_extends_the_shipped_ones() {
    let mut files: Vec<(String, String)> = menshen_policy::embedded_files();
    files.push((
        "ops.toml".into(),
        "name = \"ops-2026\"\neffective = \"2026-06-01T00:00:00Z\"\nextends = \"open-2021\"\ndisable = [\"counterfeit-offer\"]\n".into(),
    ));
    let policy = Policy::load(&files, "wechat").expect("valid");
    let ops = policy.profile("ops-2026").unwrap();
    assert!(ops.rules.iter().all(|r| r.id != "counterfeit-offer"));
    assert!(ops.rules.iter().any(|r| r.id == "share-code-in-moment"));
    assert_eq!(
        ops.flags.get("group_ecommerce_trial"),
        Some(&true),
        "flags are inherited"
    );
    assert_ne!(ops.version, policy.profile("open-2021").unwrap().version);
}

#[test]
fn a_rule_can_only_restrict_a_known_function() {
    let mut files = menshen_policy::embedded_files();
    files.push((
        "bad.toml".into(),
        r#"name = "bad"
effective = "2030-01-01T00:00:00Z"

[[rule]]
id = "r"
description = "d"
when = "true"
action = "warn"
message = "m"
restricts = "posting"
"#
        .into(),
    ));
    let error = menshen_policy::Policy::load(&files, "wechat").unwrap_err();
    let text = error.to_string();
    assert!(text.contains("bad.toml:10:14:"), "{text}");
    assert!(
        text.contains("`posting`, which is not a function"),
        "{text}"
    );
}

#[test]
fn a_rule_can_only_read_signals_a_detector_raises() {
    let profile = |when: &str| {
        let mut files = menshen_policy::embedded_files();
        files.push((
            "sig.toml".into(),
            format!(
                "name = \"sig\"\neffective = \"2030-01-01T00:00:00Z\"\n\n[[rule]]\nid = \"r\"\ndescription = \"d\"\nwhen = '{when}'\naction = \"hold\"\nmessage = \"m\"\n"
            ),
        ));
        menshen_policy::Policy::load(&files, "wechat")
    };
    let error =
        profile(r#""bulk_freind_requests" in signals && signals.bulk_freind_requests > 0.5"#)
            .unwrap_err()
            .to_string();
    assert!(error.contains("sig.toml:7:"), "{error}");
    assert!(
        error.contains("reads the signal `bulk_freind_requests`, which no detector raises"),
        "{error}"
    );
    assert!(
        error.contains("bulk_friend_requests"),
        "the known ones are listed: {error}"
    );
    assert!(profile(r#""campaign" in signals && signals.campaign > 0.5"#).is_ok());
    assert!(profile(r#""device_farm" in signals && signals["device_farm"] > 0.5"#).is_ok());
}

#[test]
fn diagnostics_carry_their_place_as_data() {
    let error = Policy::load(
        &[(
            "d.toml".to_owned(),
            "name = \"d\"\neffective = \"soon\"\n".to_owned(),
        )],
        "wechat",
    )
    .unwrap_err();
    let diagnostic = &error.0[0];
    assert_eq!(diagnostic.origin, "d.toml");
    assert_eq!(
        diagnostic.position,
        Some(menshen_policy::profile::Position {
            line: 2,
            column: 13
        })
    );
    assert!(
        diagnostic
            .message
            .starts_with("effective `soon` is not an RFC 3339 time")
    );
}

#[test]
fn a_when_that_is_not_a_boolean_never_fires_and_is_refused() {
    for (when, kind) in [
        ("links.size()", "an int"),
        ("scene", "a string"),
        ("links", "a list"),
    ] {
        let errors = load_errors(&rule(when, ""));
        assert_eq!(errors.len(), 1, "{when}: {errors:?}");
        assert!(
            errors[0].contains("must be true or false") && errors[0].contains(kind),
            "{when}: {}",
            errors[0]
        );
    }
    assert!(load_errors(&rule("links.size() > 0", "")).is_empty());
}

#[test]
fn message_templates_are_checked() {
    let with_message = |message: &str| rule("true", "").replace("message = \"m\"", message);
    let errors = load_errors(&with_message("message = \"sent by {sender}\""));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("`{sender}` is not a template"),
        "{}",
        errors[0]
    );
    let errors = load_errors(&with_message(
        "message = { zh-CN = \"直至{until:links_in_moments}\", en = \"until {until:moments}\" }",
    ));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("`{until:moments}` names no function"),
        "{}",
        errors[0]
    );
    let errors = load_errors(&with_message("message = \"until {until:links_in_moments\""));
    assert!(errors[0].contains("without its"), "{errors:?}");
    assert!(
        load_errors(&with_message(
            "message = \"until {until:links_in_moments}\""
        ))
        .is_empty()
    );
}

#[test]
fn a_runtime_error_is_counted_and_fails_closed_where_the_profile_says() {
    use menshen_detect::Analyzer;
    use menshen_policy::{Action, Sanctions, Scene, Situation};
    // The probe's facts carry one link, so the division only fails on two.
    let profile = |fail_closed: bool| {
        format!(
            "name = \"mine\"\neffective = \"2024-01-01T00:00:00Z\"\nfail_closed = {fail_closed}\n\n[[rule]]\nid = \"fragile\"\ndescription = \"d\"\nrequires = [\"links\"]\nwhen = '1 / (links.size() - 2) > 0'\naction = \"hold\"\nmessage = \"m\"\n"
        )
    };
    let facts = Analyzer::embedded_without_model().analyze("看 https://a.com/x 和 https://b.com/y");
    assert_eq!(facts.links.len(), 2);
    for (fail_closed, action) in [(false, Action::Allow), (true, Action::Hold)] {
        let policy = Policy::load(&[("my.toml".to_owned(), profile(fail_closed))], "wechat")
            .expect("the probe cannot see the error");
        let decision = policy.decide(
            policy.profile("mine").unwrap(),
            &facts,
            Situation::new(Scene::Group, &Sanctions::default()),
        );
        assert_eq!(decision.action, action, "fail_closed = {fail_closed}");
        assert_eq!(decision.errors.len(), 1, "{:?}", decision.errors);
        assert_eq!(decision.errors[0].rule, "fragile");
    }
}
