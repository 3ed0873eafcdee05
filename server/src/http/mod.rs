//! The HTTP face of the server: the JSON API, the gate in front of everything protected, the
//! web app's files, and the request log.

mod api;
mod assets;
mod gate;
mod pages;
mod spa;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::header::{self, HeaderValue};
use axum::http::Response;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tracing::{field, Span};
use twostep_api::{routes, CodeFormat};

use crate::clock::Clock;
use crate::config::Config;
use crate::flow::Flow;
use crate::password::{PasswordError, Passwords};
use crate::session::CookieJar;
use crate::store::Store;
use crate::theme::Theme;

/// The largest request body accepted; sign-in requests are a few hundred bytes.
const BODY_LIMIT: usize = 8 * 1024;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub flow: Arc<Flow>,
    pub cookies: CookieJar,
    pub theme: Arc<Theme>,
    /// The theme's texts with the code length and period of new authenticators filled in, as
    /// the pages without JavaScript show them; made once, at start.
    pub page_texts: Arc<BTreeMap<String, String>>,
}

impl AppState {
    pub fn new(
        config: Config,
        store: Store,
        clock: Arc<dyn Clock>,
    ) -> Result<AppState, PasswordError> {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let cookies = CookieJar::new(config.session.secure_cookie);
        let (theme, warnings) = Theme::load(config.ui.theme_dir.as_deref());
        for warning in warnings {
            tracing::warn!("theme: {warning}");
        }
        let params = config.totp.params;
        let format = CodeFormat {
            digits: params.digits,
            period: params.period,
        };
        let page_texts: BTreeMap<String, String> = theme
            .messages
            .iter()
            .map(|(key, text)| (key.clone(), format.fill(text)))
            .collect();
        let flow = Flow {
            store,
            config: Arc::new(config),
            clock,
            passwords: Passwords::new(cores)?,
        };
        Ok(AppState {
            flow: Arc::new(flow),
            cookies,
            page_texts: Arc::new(page_texts),
            theme: Arc::new(theme),
        })
    }
}

/// Serves `state` on `listener` until `shutdown` completes, then lets open requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Every route of the server.
pub fn router(state: AppState) -> Router {
    // Reachable at any stage: each handler checks the stage it needs itself.
    let public = Router::new()
        .route(routes::LOGIN, post(api::login))
        .route(routes::SESSION, get(api::session))
        .route(routes::ENROLLMENT, get(api::enrollment))
        .route(routes::ENROLLMENT_CONFIRM, post(api::confirm))
        .route(routes::ENROLLMENT_RESTART, post(api::restart))
        .route(routes::VERIFY, post(api::verify))
        .route(routes::LOGOUT, post(api::logout));

    // Only for verified sessions; anything else is refused before the handler runs.
    let protected = Router::new()
        .route(routes::ME, get(api::me))
        .route(routes::ME_AVATAR, get(api::avatar))
        .route_layer(from_fn_with_state(state.clone(), gate::require_verified));

    let api = public
        .merge(protected)
        .route_layer(from_fn_with_state(state.clone(), gate::guard_api_posts))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT));

    let mut app = Router::new()
        .merge(api)
        .merge(pages::routes(state.clone()))
        .merge(assets::routes())
        .route(routes::HEALTHZ, get(api::healthz));
    app = app.route("/", get(spa::index));
    for page in routes::PAGES {
        app = app.route(page, get(spa::index));
    }

    app.fallback(spa::fallback)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // Not `no-referrer`: under it browsers send `Origin: null` with form posts, and the
        // origin check could no longer tell this site's forms from anyone else's.
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(record_response),
        )
        .with_state(state)
}

/// One span per request with method, route, status and latency. The route is the pattern
/// (`/api/verify`), not the URI, and no header is recorded: cookies stay out of the log.
fn request_span(request: &Request) -> Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_else(|| "(no route)".to_owned());
    tracing::info_span!(
        "request",
        method = %request.method(),
        route,
        status = field::Empty,
        latency_ms = field::Empty,
    )
}

fn record_response(response: &Response<axum::body::Body>, latency: Duration, span: &Span) {
    span.record("status", response.status().as_u16());
    let millis = latency.as_secs_f64() * 1000.0;
    span.record("latency_ms", field::display(format_args!("{millis:.2}")));
    tracing::info!("answered");
}
