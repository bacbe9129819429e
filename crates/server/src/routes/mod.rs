//! The HTTP routes, one file per resource.

pub mod appeals;
pub mod cases;
pub mod check;
pub mod deliver;
pub mod events;
pub mod front;
pub mod ops;
pub mod reports;
pub mod sanctions;
pub mod subjects;

use crate::error::ApiError;

/// Rows a listing returns when its `limit` is not given.
pub const DEFAULT_PAGE: usize = 100;
/// The largest `limit` a listing takes.
pub const MAX_PAGE: usize = 1000;

/// A listing's `limit` parameter: [`DEFAULT_PAGE`] when absent, refused past [`MAX_PAGE`]
/// (clamping would hide from the caller that it got fewer rows than it asked for).
pub fn page_limit(limit: Option<usize>) -> Result<usize, ApiError> {
    match limit {
        None => Ok(DEFAULT_PAGE),
        Some(limit) if limit <= MAX_PAGE => Ok(limit),
        Some(limit) => Err(ApiError::field(
            "limit",
            format!("`limit` is at most {MAX_PAGE} (got {limit}); page with a smaller one"),
        )),
    }
}
