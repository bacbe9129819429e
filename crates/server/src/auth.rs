//! Bearer tokens with roles. `service` checks messages and sends behaviour events;
//! `reviewer` reads subjects and decides sanctions and appeals; `admin` may do everything.

use crate::error::ErrorCode;
use std::sync::Arc;

use axum::{
    extract::FromRequestParts,
    http::{StatusCode, header, request::Parts},
};
use menshen_state::{
    audit::{Actor, ActorKind},
    token::Role,
};

use crate::{app::App, error::ApiError};

/// The authenticated caller.
#[derive(Clone, Debug)]
pub struct Caller {
    pub role: Role,
    pub name: String,
}

impl Caller {
    /// Refuse unless the caller has one of `roles` (admins always pass).
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if self.role == Role::Admin || roles.contains(&self.role) {
            return Ok(());
        }
        let wanted: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            format!(
                "this needs a {} token; yours is a {} token",
                wanted.join(" or "),
                self.role.as_str()
            ),
        ))
    }

    /// The caller as the audit log names it.
    pub fn actor(&self) -> Actor {
        Actor {
            kind: match self.role {
                Role::Admin => ActorKind::Admin,
                Role::Reviewer => ActorKind::Reviewer,
                Role::Service => ActorKind::System,
            },
            id: self.name.clone(),
        }
    }
}

impl FromRequestParts<Arc<App>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, ApiError> {
        let unauthorized = |message: &str| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthorized,
                message.to_owned(),
            )
        };
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| unauthorized("send `Authorization: Bearer <token>`; create a token with `menshen token create --role service`"))?;
        // The scheme is case-insensitive (RFC 9110 §11.1): `bearer` and `BEARER` are `Bearer`.
        let secret = header
            .to_str()
            .ok()
            .and_then(|h| h.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| unauthorized("the Authorization header must read `Bearer <token>`"))?;
        let address = crate::limit::client_address(&parts.extensions);
        let hash = menshen_state::token::secret_hash(secret);
        match app.authenticate_from(hash, address).await? {
            Some((role, name)) => Ok(Caller { role, name }),
            None => Err({
                unauthorized(&format!(
                    "this token is not known to the store in {dir}: a token belongs to the store it was made in; make one for this server with `menshen token create --role service --data {dir}`",
                    dir = app.config.data_dir.display()
                ))
            }),
        }
    }
}

/// The roles a route admits, as a type, so that the check runs while the request's head is
/// read: before its body is, and before anything in it is validated.
pub trait Roles {
    const ROLES: &'static [Role];
}

/// Routes for the platform's services (checks, events, deliveries).
pub struct ServiceRole;
/// Routes for reviewers (cases, subjects, sanctions).
pub struct ReviewerRole;
/// Routes for either.
pub struct ServiceOrReviewer;
/// Routes for admins only.
pub struct AdminRole;

impl Roles for ServiceRole {
    const ROLES: &'static [Role] = &[Role::Service];
}
impl Roles for ReviewerRole {
    const ROLES: &'static [Role] = &[Role::Reviewer];
}
impl Roles for ServiceOrReviewer {
    const ROLES: &'static [Role] = &[Role::Service, Role::Reviewer];
}
impl Roles for AdminRole {
    const ROLES: &'static [Role] = &[Role::Admin];
}

/// A caller with one of `R`'s roles (admins always pass); any other is refused with 403
/// before the body is read.
pub struct Authorized<R>(pub Caller, pub std::marker::PhantomData<R>);

impl<R: Roles> FromRequestParts<Arc<App>> for Authorized<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, app).await?;
        caller.require(R::ROLES)?;
        Ok(Authorized(caller, std::marker::PhantomData))
    }
}
