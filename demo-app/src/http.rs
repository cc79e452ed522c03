//! The demo's HTTP routes, beside socket.io on the main listener. They share the gateways'
//! providers: the same tokens as the socket `login`, the same history as `history`, and
//! announcements emitted into `/chat` rooms (on every node with Redis).

use std::time::Duration;

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use gateway_core::Inject;
use gateway_core::config::Config;
use gateway_core::prelude::*;
use serde_json::{Value, json};
use validator::Validate;

use crate::auth::{AuthService, User};
use crate::chat::ChatService;
use crate::config::DemoConfig;
use crate::events::LoginDto;

/// `GET /health`, `POST /auth/login`, `GET /rooms/{roomId}/history`,
/// `POST /rooms/{roomId}/announce`.
pub fn routes() -> Router {
    routes_for(gateway_core::Parser::Default)
}

/// [`routes`], the web client's socket.io library matching a server on `parser`.
pub fn routes_for(parser: gateway_core::Parser) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/auth/login", post(login))
        .route("/rooms/{room_id}/history", get(history))
        .route("/rooms/{room_id}/announce", post(announce))
        .merge(crate::page::routes_for(parser))
}

/// Emits into the chat's rooms from outside a gateway.
#[injectable]
pub struct Announcer {
    #[web_socket_server]
    server: WsServer,
}

/// An HTTP error: its status and `{"statusCode", "message"}`, as NestJS answers.
struct Failure(StatusCode, String);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let body = json!({ "statusCode": self.0.as_u16(), "message": self.1 });
        (self.0, Json(body)).into_response()
    }
}

/// 400 `{"statusCode", "message": "Validation failed", "errors": [{field, code}]}`.
fn invalid(errors: validator::ValidationErrors) -> Response {
    let mut fields: Vec<Value> = errors
        .field_errors()
        .iter()
        .flat_map(|(field, list)| {
            list.iter()
                .map(move |e| json!({ "field": field, "code": e.code }))
        })
        .collect();
    fields.sort_by_key(|f| f["field"].to_string());
    let body = json!({ "statusCode": 400, "message": "Validation failed", "errors": fields });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

/// 200 `{status: "ok", redis}`: `"off"` in memory, `"up"`, or `"down"` with a 503. On
/// PostgreSQL, `{status, redis: "off", postgres}` alike.
async fn health(Inject(config): Inject<Config<DemoConfig>>) -> Response {
    if let Some(url) = config.postgres() {
        return if postgres_answers(url).await {
            Json(json!({ "status": "ok", "redis": "off", "postgres": "up" })).into_response()
        } else {
            let body = json!({ "status": "error", "redis": "off", "postgres": "down" });
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        };
    }
    let Some(url) = config.redis() else {
        return Json(json!({ "status": "ok", "redis": "off" })).into_response();
    };
    if redis_answers(url).await {
        Json(json!({ "status": "ok", "redis": "up" })).into_response()
    } else {
        let body = json!({ "status": "error", "redis": "down" });
        (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
    }
}

/// Whether Redis answers a PING within a second.
async fn redis_answers(url: &str) -> bool {
    let ping = async {
        let client = redis::Client::open(url).ok()?;
        let mut conn = client.get_multiplexed_async_connection().await.ok()?;
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .ok()
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(1), ping).await,
        Ok(Some(_))
    )
}

/// Whether PostgreSQL answers a query within a second.
async fn postgres_answers(url: &str) -> bool {
    let query = async {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .ok()?;
        let conn = tokio::spawn(conn);
        let answered = client.simple_query("SELECT 1").await.ok();
        drop(client);
        conn.abort();
        answered
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(1), query).await,
        Ok(Some(_))
    )
}

/// `{name}` gives `{token}`, the token the socket `login` gives; 400 for an invalid name.
async fn login(Inject(auth): Inject<AuthService>, Json(dto): Json<LoginDto>) -> Response {
    if let Err(errors) = dto.validate() {
        return invalid(errors);
    }
    match auth.issue(&dto.name) {
        Ok(token) => Json(json!({ "token": token })).into_response(),
        Err(e) => Failure(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// The user of the request's `Authorization: Bearer <token>`, or 401.
fn bearer(auth: &AuthService, headers: &HeaderMap) -> Result<User, Failure> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    token
        .and_then(|t| auth.verify(t))
        .map(|(user, _)| user)
        .ok_or_else(|| Failure(StatusCode::UNAUTHORIZED, "Unauthorized".to_owned()))
}

/// The room's history, as the socket `history` acks it; 401 without a valid token.
async fn history(
    Inject(auth): Inject<AuthService>,
    Inject(chat): Inject<ChatService>,
    Path(room_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, Failure> {
    bearer(&auth, &headers)?;
    Ok(Json(json!(chat.history(&room_id))))
}

/// `announcement`, to a `/chat` room: what an admin posted over HTTP.
#[derive(Debug, Serialize, JsonSchema, Event)]
#[event("announcement")]
#[serde(rename_all = "camelCase")]
pub struct Announcement {
    /// The room.
    pub room_id: String,
    /// The text.
    pub message: String,
    /// The admin's name.
    pub from: String,
}

/// `{message}`, 1 to 2000 characters.
#[derive(Deserialize, Validate)]
struct AnnounceDto {
    #[validate(length(min = 1, max = 2000))]
    message: String,
}

/// Admins only (403 otherwise, 401 without a token): `announcement {roomId, message, from}`
/// to everyone in the `/chat` room. 204.
async fn announce(
    Inject(auth): Inject<AuthService>,
    Inject(announcer): Inject<Announcer>,
    Path(room_id): Path<String>,
    headers: HeaderMap,
    Json(dto): Json<AnnounceDto>,
) -> Result<Response, Failure> {
    let user = bearer(&auth, &headers)?;
    if user.role != "admin" {
        return Err(Failure(
            StatusCode::FORBIDDEN,
            "Forbidden resource".to_owned(),
        ));
    }
    if let Err(errors) = dto.validate() {
        return Ok(invalid(errors));
    }
    let payload = Announcement {
        room_id: room_id.clone(),
        message: dto.message,
        from: user.name,
    };
    let chat = announcer
        .server
        .of("/chat")
        .ok_or_else(|| Failure(StatusCode::SERVICE_UNAVAILABLE, "no /chat".to_owned()))?;
    chat.to(room_id)
        .emit_event(&payload)
        .await
        .map_err(|e| Failure(StatusCode::BAD_GATEWAY, e.to_string()))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
