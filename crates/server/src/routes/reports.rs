//! Report intake: the platform files its users' reports; reports about one subject join one
//! case; the reporter reads the outcome here (and through the `report.outcome` webhook).

use std::sync::Arc;

use axum::{Json, extract::State};
use menshen_state::{
    audit::{Subject, SubjectKind},
    report::{Evidence, NewReport, Reason, Report, Reporter},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    app::App,
    auth::{Authorized, ServiceOrReviewer},
    enforce::engine_view,
    error::{ApiError, Body, ErrorBody, PathParams},
};

/// The kinds of subject a user can report.
pub const REPORTABLE: [SubjectKind; 5] = [
    SubjectKind::Message,
    SubjectKind::Account,
    SubjectKind::Domain,
    SubjectKind::App,
    SubjectKind::Group,
];

/// Longest statement and content kept, in bytes; longer ones are cut at a character boundary.
const MAX_TEXT: usize = 8 * 1024;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReporterSpec {
    #[schema(schema_with = crate::schema::id)]
    pub id: String,
    /// Days since the reporter registered, if the platform knows: new accounts weigh less in
    /// a wave.
    #[schema(minimum = 0, maximum = 4294967295_u64)]
    pub account_age_days: Option<u32>,
    #[schema(schema_with = crate::schema::optional_id)]
    pub device: Option<String>,
    /// The reporter's address, if the platform knows: reports from one network (a /24 or
    /// /48) weigh as a wave, not as independent reporters.
    #[schema(schema_with = crate::schema::optional_ip_address)]
    pub ip: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectSpec {
    /// `message`, `account`, `domain`, `app` or `group`.
    #[schema(schema_with = crate::schema::reportable_kind)]
    pub kind: String,
    #[schema(schema_with = crate::schema::id)]
    pub id: String,
    /// The account answerable for it: a message's author, a group's owner.
    #[schema(schema_with = crate::schema::optional_id)]
    pub account: Option<String>,
    /// A reported message's text.
    pub text: Option<String>,
}

/// A report filed for a user. Its schema is written out ([`crate::schema::file_report`]): a
/// report for `other` reasons needs a statement, which the derive cannot say.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileReport {
    pub reporter: ReporterSpec,
    pub subject: SubjectSpec,
    /// One of `GET /v1/reports/reasons`.
    pub reason: String,
    /// The reporter's own words.
    #[serde(default)]
    pub statement: String,
    #[serde(default)]
    pub evidence: Option<Evidence>,
}

impl utoipa::PartialSchema for FileReport {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        crate::schema::file_report(ReporterSpec::schema(), SubjectSpec::schema()).into()
    }
}

impl ToSchema for FileReport {}

/// What the platform is told when it files a report.
#[derive(Serialize, ToSchema)]
pub struct Filed {
    pub report: u64,
    pub case: u64,
    /// The case's state: `open` until a reviewer takes it.
    pub state: String,
}

fn cut(mut text: String) -> String {
    text.truncate(text.floor_char_boundary(MAX_TEXT));
    text
}

/// File a report (the platform's service, for its user).
#[utoipa::path(post, operation_id = "reports_file", path = "/v1/reports", request_body = FileReport,
    responses((status = 200, description = "the answer", body = Filed), (status = 422, description = "a field is missing or wrong (`field` names it)", body = ErrorBody), (status = 400, description = "the body is not a JSON object, or not JSON", body = ErrorBody), (status = 413, description = "the body is over the limit", body = ErrorBody), (status = 415, description = "the body is not application/json", body = ErrorBody), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn file(
    State(app): State<Arc<App>>,
    _: Authorized<ServiceOrReviewer>,
    Body(request): Body<FileReport>,
) -> Result<Json<Filed>, ApiError> {
    ApiError::check_id("reporter.id", &request.reporter.id)?;
    ApiError::check_optional_id("reporter.device", request.reporter.device.as_deref())?;
    if let Some(ip) = &request.reporter.ip
        && ip.parse::<std::net::IpAddr>().is_err()
    {
        return Err(ApiError::field(
            "reporter.ip",
            format!("`{ip}` is not an IP address"),
        ));
    }
    ApiError::check_optional_id("subject.account", request.subject.account.as_deref())?;
    let kind = SubjectKind::parse(&request.subject.kind)
        .filter(|k| REPORTABLE.contains(k))
        .ok_or_else(|| {
            ApiError::field(
                "subject.kind",
                format!(
                    "`{}` cannot be reported; use message, account, domain, app or group",
                    request.subject.kind
                ),
            )
        })?;
    ApiError::check_id("subject.id", &request.subject.id)?;
    let reason = Reason::parse(&request.reason).ok_or_else(|| {
        let names: Vec<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
        ApiError::field(
            "reason",
            format!(
                "`{}` is not a reason; use one of {}",
                request.reason,
                names.join(", ")
            ),
        )
    })?;
    ApiError::check_text("statement", &request.statement)?;
    let messages = request.evidence.iter().flat_map(|e| &e.messages);
    for (index, message) in messages.enumerate() {
        ApiError::check_id(&format!("evidence.messages[{index}]"), message)?;
    }
    if reason == Reason::Other && request.statement.trim().is_empty() {
        return Err(ApiError::field(
            "statement",
            "a report for `other` reasons needs the reporter's own words",
        ));
    }
    let subject = Subject {
        kind,
        id: request.subject.id,
    };
    let account = match kind {
        SubjectKind::Account => Some(subject.id.clone()),
        _ => request.subject.account.filter(|a| !a.trim().is_empty()),
    };
    let content = request.subject.text.map(cut);
    let at = app.now();
    let engine = engine_view(&app, &subject, account.as_deref(), content.as_deref(), at)?;
    let new = NewReport {
        reporter: Reporter {
            id: request.reporter.id,
            account_age_days: request.reporter.account_age_days,
            device: request.reporter.device,
            ip: request.reporter.ip,
        },
        subject,
        account,
        content,
        reason,
        statement: cut(request.statement),
        evidence: request.evidence.unwrap_or(Evidence {
            messages: Vec::new(),
            excerpts: Vec::new(),
        }),
        at,
    };
    let config = app.config.reports.clone();
    let (report, case) = app
        .write(move |store, _| store.file_report(new, engine, &config))
        .await?;
    app.metrics.report(reason.as_str());
    Ok(Json(Filed {
        report: report.id,
        case: case.id,
        state: case.state.as_str().into(),
    }))
}

/// A report as its reporter may see it: their own words and what became of it.
#[derive(Serialize, ToSchema)]
pub struct ReportStatus {
    #[schema(value_type = Object)]
    pub report: Report,
    /// `open`, `assigned`, `escalated` or `resolved`.
    pub state: String,
    /// `verified` or `dismissed`, once resolved.
    pub outcome: Option<String>,
    /// The reviewer's reason, once resolved.
    pub reason: Option<String>,
}

/// A report's state and outcome (the platform shows its reporter).
#[utoipa::path(get, operation_id = "reports_get", path = "/v1/reports/{id}", params(("id" = u64, Path)),
    responses((status = 200, description = "the answer", body = ReportStatus), (status = 404, description = "no such thing", body = ErrorBody), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody), (status = 400, description = "a path or query parameter, or the body, does not parse", body = ErrorBody), (status = 422, description = "a field or parameter is missing or wrong (`field` names it)", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    State(app): State<Arc<App>>,
    _: Authorized<ServiceOrReviewer>,
    PathParams(id): PathParams<u64>,
) -> Result<Json<ReportStatus>, ApiError> {
    let found = app
        .read(move |store| {
            let Some(report) = store.report(id)? else {
                return Ok(None);
            };
            let case = store.case(report.case)?;
            Ok(Some((report, case)))
        })
        .await?;
    let (report, case) = found.ok_or_else(|| ApiError::not_found(format!("no report {id}")))?;
    let case = case.ok_or_else(|| ApiError::internal(format!("report {id} has no case")))?;
    let resolution = case.resolution.as_ref();
    Ok(Json(ReportStatus {
        report,
        state: case.state.as_str().into(),
        outcome: resolution.map(|r| r.outcome.as_str().into()),
        reason: resolution.map(|r| r.reason.clone()),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ReasonEntry {
    pub name: &'static str,
    pub description: &'static str,
    /// The ladder a verified report climbs: `content` or `automation`.
    pub ladder: &'static str,
}

/// The catalogue of report reasons.
#[utoipa::path(get, operation_id = "reports_reasons", path = "/v1/reports/reasons",
    responses((status = 200, description = "the answer", body = Vec<ReasonEntry>), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn reasons(_: Authorized<ServiceOrReviewer>) -> Result<Json<Vec<ReasonEntry>>, ApiError> {
    Ok(Json(
        Reason::ALL
            .into_iter()
            .map(|r| ReasonEntry {
                name: r.as_str(),
                description: r.description(),
                ladder: r.ladder().as_str(),
            })
            .collect(),
    ))
}
