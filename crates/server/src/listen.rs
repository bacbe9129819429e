//! The accept loop: the router on hyper's HTTP/1 server, with the limits a listener facing
//! hostile clients needs, and a graceful stop.
//!
//! - At most `max_connections` connections at once; the next one waits in the kernel's
//!   backlog until one closes, so a thousand stalled clients cannot take every socket.
//! - A request's head must arrive within `header_timeout_seconds` (hyper closes the
//!   connection otherwise), and its body within `body_timeout_seconds` (408 then).
//! - Each request knows its client's address (`ConnectInfo`), for the guessing limits.

use std::{convert::Infallible, future::Future, sync::Arc, time::Duration};

use axum::{Router, extract::ConnectInfo};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::{net::TcpListener, sync::Semaphore};
use tower::ServiceExt;

/// The listener's limits, from the server's configuration.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_connections: usize,
    pub header_timeout: Duration,
}

/// Serve `router` on `listener` until `shutdown` resolves; connections in flight finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&slots).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors and the like: pause rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(remote));
                let router = router.clone();
                async move {
                    Ok::<_, Infallible>(
                        router
                            .oneshot(request.map(axum::body::Body::new))
                            .await
                            .unwrap_or_else(|never| match never {}),
                    )
                }
            },
        );
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    // Let requests in flight finish, but not forever.
    let _ = tokio::time::timeout(Duration::from_secs(30), graceful.shutdown()).await;
    Ok(())
}

/// The longest request target the router reads, in bytes.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// The most header bytes (names and values) the router reads.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Refuse an over-long target (414) or over-large headers (431) with the JSON error every
/// other refusal has, before any route reads them. (Beyond hyper's own buffer, about 400 KiB,
/// hyper refuses first, without a body.)
pub async fn refuse_oversized(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let uri = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if uri > MAX_URI_BYTES {
        return crate::error::ApiError::new(
            axum::http::StatusCode::URI_TOO_LONG,
            crate::error::ErrorCode::UriTooLong,
            format!(
                "the request target is {uri} bytes, over {MAX_URI_BYTES}; send long data in a body"
            ),
        )
        .into_response();
    }
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers > MAX_HEADER_BYTES {
        return crate::error::ApiError::new(
            axum::http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            crate::error::ErrorCode::HeadersTooLarge,
            format!("the headers are {headers} bytes, over {MAX_HEADER_BYTES}; send fewer or shorter headers"),
        )
        .into_response();
    }
    next.run(request).await
}
