//! Schemas of string fields whose values are a closed list, for the OpenAPI document: each is
//! built from the list the code itself checks against, so the document cannot drift from it.

use menshen_policy::Scene;
use menshen_state::{
    audit::SubjectKind,
    report::{CaseState, Reason},
};
use utoipa::openapi::{
    RefOr, Schema,
    schema::{
        AdditionalProperties, ArrayBuilder, Object, ObjectBuilder, OneOfBuilder, SchemaType, Type,
    },
};

fn one_of(values: impl IntoIterator<Item = &'static str>, description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .description(Some(description))
        .build()
}

/// Where a message is posted.
pub fn scene() -> Object {
    one_of(
        Scene::ALL.map(Scene::as_str),
        "where the message is posted; default `direct`",
    )
}

/// What a sanction can fall on.
pub fn target_kind() -> Object {
    one_of(
        menshen_state::sanction::SANCTIONABLE.map(SubjectKind::as_str),
        "what the sanction falls on",
    )
}

/// Every kind of subject the audit log names.
pub fn subject_kind() -> Object {
    one_of(
        SubjectKind::ALL.map(SubjectKind::as_str),
        "what the subject is",
    )
}

/// What a user can report.
pub fn reportable_kind() -> Object {
    one_of(
        crate::routes::reports::REPORTABLE.map(SubjectKind::as_str),
        "what is reported",
    )
}

/// The report reasons of the catalogue (`GET /v1/reports/reasons`).
pub fn report_reason() -> Object {
    one_of(Reason::ALL.map(Reason::as_str), "why, from the catalogue")
}

/// Where a case stands.
pub fn case_state() -> Object {
    one_of(
        CaseState::ALL.map(CaseState::as_str),
        "where the case stands",
    )
}

/// Where an appeal stands.
pub fn appeal_state() -> Object {
    one_of(
        menshen_state::appeal::AppealState::ALL.map(menshen_state::appeal::AppealState::as_str),
        "where the appeal stands",
    )
}

/// The languages menshen speaks.
pub fn locale() -> Object {
    one_of(
        menshen_i18n::Locale::ALL.map(menshen_i18n::Locale::tag),
        "the language of the texts people read",
    )
}

/// An id: not blank, at most `MAX_ID_CHARS` (`menshen_state::sanction::check_id`).
pub fn id() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(menshen_state::sanction::MAX_ID_CHARS))
        .pattern(Some(
            r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$",
        ))
        .description(Some("an id: printable, not blank, at most 256 characters"))
        .build()
}

/// A reason or statement people read: not blank, at most `MAX_TEXT_CHARS`.
pub fn reason() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(menshen_state::sanction::MAX_TEXT_CHARS))
        .pattern(Some(r"\S"))
        .description(Some(
            "why, in words people read: not blank, at most 1,024 characters",
        ))
        .build()
}

/// Words people read that may be left empty: at most `MAX_TEXT_CHARS`.
pub fn text() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(menshen_state::sanction::MAX_TEXT_CHARS))
        .description(Some("in words people read: at most 1,024 characters"))
        .build()
}

/// The same schema, also allowing `null` (an optional field sent as `null`).
fn or_null(mut object: Object) -> Object {
    object.schema_type = SchemaType::from_iter([Type::String, Type::Null]);
    if let Some(values) = &mut object.enum_values {
        values.push(serde_json::Value::Null);
    }
    object
}

/// An optional [`id`].
pub fn optional_id() -> Object {
    or_null(id())
}

/// An optional [`scene`].
pub fn optional_scene() -> Object {
    or_null(scene())
}

/// An optional [`locale`].
pub fn optional_locale() -> Object {
    or_null(locale())
}

/// An optional [`report_reason`].
pub fn optional_report_reason() -> Object {
    or_null(report_reason())
}

/// A string with exactly one value (the `kind` that tells alternatives apart).
fn constant(value: &'static str) -> Object {
    one_of([value], "")
}

/// An object of these properties, the required ones first; no others allowed
/// (the types behind them deny unknown fields).
fn closed(required: &[(&str, Schema)], optional: &[(&str, Schema)]) -> Object {
    let mut builder = ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(AdditionalProperties::FreeForm(false)));
    for (name, schema) in required {
        builder = builder.property(*name, schema.clone()).required(*name);
    }
    for (name, schema) in optional {
        builder = builder.property(*name, schema.clone());
    }
    builder.build()
}

fn integer(minimum: u64, maximum: u64) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(minimum))
        .maximum(Some(maximum))
        .build()
}

fn strings() -> Schema {
    ArrayBuilder::new()
        .items(ObjectBuilder::new().schema_type(Type::String))
        .build()
        .into()
}

fn ids() -> Schema {
    ArrayBuilder::new().items(id()).build().into()
}

/// An IPv4 address (no leading zeros, as `std::net::Ipv4Addr` reads it).
const IPV4: &str = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}";

/// An IPv6 address in its hexadecimal forms: eight groups, or fewer with one `::`.
fn ipv6() -> String {
    const GROUP: &str = "[0-9a-fA-F]{1,4}";
    let mut forms = vec![format!("({GROUP}:){{7}}{GROUP}")];
    // `before` groups, `::` (at least one group of zeros), then up to 7 - before groups.
    for before in 0..=7 {
        let head = match before {
            0 => "::".to_owned(),
            _ => format!("({GROUP}:){{{before}}}:"),
        };
        forms.push(match 7 - before {
            0 => head,
            1 => format!("{head}({GROUP})?"),
            after => format!("{head}({GROUP}(:{GROUP}){{0,{}}})?", after - 1),
        });
    }
    forms.join("|")
}

/// A sanction target's id, by kind: an `ip` target is an address or a CIDR range, a `domain` a
/// host name under a public suffix (the server also takes Unicode names and writes them in
/// ASCII), an `app` or account or device any id.
fn target_id(kind: SubjectKind) -> Object {
    match kind {
        SubjectKind::Ip => ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(format!(
                "^(({IPV4})(/(3[0-2]|[12]?[0-9]))?|({})(/(12[0-8]|1[01][0-9]|[1-9]?[0-9]))?)$",
                ipv6()
            )))
            .description(Some(
                "an IP address, or a CIDR range (203.0.113.0/24, 2001:db8::/48)",
            ))
            .build(),
        SubjectKind::Domain => ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(253))
            .pattern(Some(
                r"^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$",
            ))
            .description(Some(
                "a registrable domain or a host under one (example.com, m.example.com)",
            ))
            .build(),
        _ => id(),
    }
}

/// A sanction target: one alternative per kind, each with its id's form.
pub fn target() -> Schema {
    let mut alternatives = OneOfBuilder::new().description(Some("what the sanction falls on"));
    for kind in menshen_state::sanction::SANCTIONABLE {
        alternatives = alternatives.item(closed(
            &[
                ("kind", constant(kind.as_str()).into()),
                ("id", target_id(kind).into()),
            ],
            &[],
        ));
    }
    alternatives.build().into()
}

/// An optional [`target`].
pub fn optional_target() -> Schema {
    OneOfBuilder::new()
        .item(target())
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .build()
        .into()
}

/// A ladder step given by hand: warnings and permanent bans have no `hours`, restrictions and
/// login bans last 1 to `MAX_SANCTION_HOURS`.
pub fn optional_step() -> Schema {
    use menshen_state::ladder::SanctionKind;
    let kinds = |timed: bool| {
        one_of(
            SanctionKind::ALL
                .into_iter()
                .filter(move |k| k.is_timed() == timed)
                .map(SanctionKind::as_str),
            "what the sanction does",
        )
    };
    let hours = integer(1, u64::from(menshen_state::sanction::MAX_SANCTION_HOURS));
    OneOfBuilder::new()
        .description(Some("the ladder's step, overridden"))
        .item(closed(&[("kind", kinds(false).into())], &[]))
        .item(closed(
            &[("kind", kinds(true).into()), ("hours", hours.into())],
            &[],
        ))
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .build()
        .into()
}

/// The functions a restriction can take away, or `null`.
pub fn optional_function() -> Object {
    or_null(one_of(
        menshen_policy::Function::ALL.iter().map(|f| f.as_str()),
        "the function a restriction takes away",
    ))
}

/// The ladders, or `null` for the default.
pub fn optional_ladder() -> Object {
    use menshen_state::sanction::LadderName;
    or_null(one_of(
        [LadderName::Content, LadderName::Automation].map(LadderName::as_str),
        "the ladder the offence climbs",
    ))
}

/// How a recipient wants links: `open`, `ask`, `plain_text` or `hide`.
fn link_choice() -> Object {
    use menshen_policy::deliver::LinkChoice;
    one_of(
        LinkChoice::ALL.map(LinkChoice::as_str),
        "how links reach the recipient",
    )
}

/// The document's name for a recipient's link choices ([`preferences`]).
pub struct Preferences;

impl utoipa::PartialSchema for Preferences {
    fn schema() -> RefOr<Schema> {
        preferences().into()
    }
}

impl utoipa::ToSchema for Preferences {}

/// A recipient's link choices (`menshen_policy::deliver::Preferences`).
pub fn preferences() -> Schema {
    let by_name = |what: &str| -> Schema {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .additional_properties(Some(AdditionalProperties::RefOr(RefOr::T(Schema::Object(
                link_choice(),
            )))))
            .description(Some(what))
            .build()
            .into()
    };
    closed(
        &[],
        &[
            (
                "domains",
                by_name("by domain (`jd.com` covers its subdomains)"),
            ),
            (
                "categories",
                by_name("by link category (`ecommerce`, `short_video`, …)"),
            ),
            ("default", or_null(link_choice()).into()),
        ],
    )
    .into()
}

/// What `POST /v1/deliver` reads of a verdict (`menshen_policy::deliver::Deliverable`): a
/// whole verdict from `POST /v1/check` fits, since other fields are ignored.
pub fn deliverable() -> Schema {
    use menshen_detect::Category;
    use menshen_policy::Action;
    let action = || one_of(Action::ALL.map(Action::as_str), "the verdict's action");
    let open = |required: &[(&str, Schema)], optional: &[(&str, Schema)]| -> Schema {
        let mut object = closed(required, optional);
        object.additional_properties = None;
        object.into()
    };
    let link = open(
        &[(
            "host",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .build()
                .into(),
        )],
        &[
            (
                "domain",
                or_null(ObjectBuilder::new().schema_type(Type::String).build()).into(),
            ),
            (
                "category",
                one_of(Category::ALL.map(Category::as_str), "the link's category").into(),
            ),
        ],
    );
    let link_action = open(
        &[
            ("link", integer(0, u64::MAX).into()),
            ("action", action().into()),
        ],
        &[],
    );
    open(
        &[("action", action().into())],
        &[
            (
                "facts",
                open(
                    &[],
                    &[(
                        "links",
                        ArrayBuilder::new().items(RefOr::T(link)).build().into(),
                    )],
                ),
            ),
            (
                "link_actions",
                ArrayBuilder::new()
                    .items(RefOr::T(link_action))
                    .build()
                    .into(),
            ),
            (
                "policy",
                or_null_schema(open(
                    &[(
                        "profile",
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .build()
                            .into(),
                    )],
                    &[],
                )),
            ),
        ],
    )
}

/// An RFC 3339 time. `format: date-time` alone only annotates in JSON Schema 2020-12, so a
/// pattern says it too: real days of the month (29 February aside), hours, offsets.
pub fn timestamp() -> Object {
    const DATE: &str = "[0-9]{4}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)";
    const TIME: &str = "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?";
    const OFFSET: &str = "([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])";
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::DateTime,
        )))
        .pattern(Some(format!("^{DATE}[Tt]{TIME}{OFFSET}$")))
        .description(Some("an RFC 3339 time (2026-11-21T08:00:00Z)"))
        .build()
}

/// An optional [`timestamp`].
pub fn optional_timestamp() -> Object {
    or_null(timestamp())
}

/// One behaviour event: an alternative per `kind`, each with its fields and an optional `ts`.
pub fn behaviour_events() -> Schema {
    let text = || -> Schema {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .build()
            .into()
    };
    let ts = || -> Schema {
        let mut ts = timestamp();
        ts.description = Some("when it happened (RFC 3339); default now".into());
        ts.into()
    };
    let latency = || -> Schema { integer(0, u64::MAX).into() };
    let count = || -> Schema { integer(0, u64::from(u32::MAX)).into() };
    let location: Schema = closed(
        &[
            (
                "lat",
                ObjectBuilder::new()
                    .schema_type(Type::Number)
                    .build()
                    .into(),
            ),
            (
                "lon",
                ObjectBuilder::new()
                    .schema_type(Type::Number)
                    .build()
                    .into(),
            ),
        ],
        &[],
    )
    .into();
    let id = || -> Schema { id().into() };
    let domain = || -> Schema { target_id(SubjectKind::Domain).into() };
    // Each kind: its required fields, then its optional ones.
    type Fields = Vec<(&'static str, Schema)>;
    let kinds: Vec<(&'static str, Fields, Fields)> = vec![
        ("friend_request", vec![("from", id()), ("to", id())], vec![]),
        (
            "group_message",
            vec![("sender", id()), ("group", id())],
            vec![
                ("fingerprint", or_null_integer()),
                ("text", or_null_schema(text())),
            ],
        ),
        ("forward", vec![("sender", id())], vec![]),
        (
            "reply",
            vec![("account", id()), ("latency_ms", latency())],
            vec![],
        ),
        (
            "red_packet_grab",
            vec![("account", id()), ("latency_ms", latency())],
            vec![],
        ),
        (
            "login",
            vec![("account", id()), ("device", id())],
            vec![
                ("ip", or_null_schema(ip_address())),
                ("location", or_null_schema(location)),
                ("client", or_null_schema(id())),
            ],
        ),
        (
            "group_invite",
            vec![("actor", id()), ("group", id())],
            vec![("count", count())],
        ),
        (
            "group_create",
            vec![("actor", id()), ("group", id())],
            vec![],
        ),
        (
            "group_kick",
            vec![("actor", id()), ("group", id())],
            vec![("count", count())],
        ),
        (
            "redirect",
            vec![("from", domain()), ("to", domain())],
            vec![],
        ),
    ];
    let mut alternatives = OneOfBuilder::new().description(Some("a behaviour event"));
    for (kind, required, optional) in kinds {
        let mut required = required;
        required.insert(0, ("kind", constant(kind).into()));
        let mut optional = optional;
        optional.push(("ts", ts()));
        alternatives = alternatives.item(closed(&required, &optional));
    }
    ArrayBuilder::new()
        .items(RefOr::T(Schema::OneOf(alternatives.build())))
        .build()
        .into()
}

fn ip_address() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!("^(({IPV4})|({}))$", ipv6())))
        .description(Some("an IPv4 or IPv6 address"))
        .build()
        .into()
}

/// An optional IPv4 or IPv6 address.
pub fn optional_ip_address() -> Schema {
    or_null_schema(ip_address())
}

fn or_null_schema(schema: Schema) -> Schema {
    OneOfBuilder::new()
        .item(schema)
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .build()
        .into()
}

fn or_null_integer() -> Schema {
    let mut integer = integer(0, u64::MAX);
    integer.schema_type = SchemaType::from_iter([Type::Integer, Type::Null]);
    integer.into()
}

/// A report: a reason from the catalogue, and for `other` the reporter's own words.
pub fn file_report(reporter: RefOr<Schema>, subject: RefOr<Schema>) -> Schema {
    let statement = |required: bool| -> Schema {
        if required {
            reason().into()
        } else {
            text().into()
        }
    };
    let evidence = or_null_schema(
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("messages", ids())
            .property("excerpts", strings())
            .build()
            .into(),
    );
    let reasons = |other: bool| {
        one_of(
            Reason::ALL
                .into_iter()
                .filter(move |r| (*r == Reason::Other) == other)
                .map(Reason::as_str),
            "why, from the catalogue (`GET /v1/reports/reasons`)",
        )
    };
    let report = |other: bool| {
        let mut required: Vec<(&str, Schema)> = vec![
            ("reporter", unref(&reporter)),
            ("subject", unref(&subject)),
            ("reason", reasons(other).into()),
        ];
        let mut optional: Vec<(&str, Schema)> = vec![("evidence", evidence.clone())];
        if other {
            required.push(("statement", statement(true)));
        } else {
            optional.push(("statement", statement(false)));
        }
        closed(&required, &optional)
    };
    OneOfBuilder::new()
        .item(report(false))
        .item(report(true))
        .build()
        .into()
}

fn unref(schema: &RefOr<Schema>) -> Schema {
    match schema {
        RefOr::T(schema) => schema.clone(),
        RefOr::Ref(_) => Schema::default(),
    }
}

/// A case's resolution: an outcome that verifies the reports (`verify`) may carry the
/// offence; one that does not (`dismiss`) sanctions nobody.
pub fn resolve(offence: RefOr<Schema>) -> Schema {
    let mut alternatives = OneOfBuilder::new();
    for (name, verifies) in crate::routes::cases::OUTCOMES {
        let offence = if verifies {
            or_null_schema(unref(&offence))
        } else {
            ObjectBuilder::new().schema_type(Type::Null).build().into()
        };
        alternatives = alternatives.item(closed(
            &[
                ("outcome", constant(name).into()),
                ("reason", reason().into()),
            ],
            &[("offence", offence)],
        ));
    }
    alternatives.build().into()
}
