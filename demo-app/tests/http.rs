//! The demo's HTTP routes with a real HTTP client (reqwest) against the demo on 127.0.0.1:
//! the same tokens, history and rooms as the socket.io side, and `/health` following a real
//! Redis that is stopped under the demo.

mod common;

use std::time::Duration;

use common::Demo;
use gateway_core::testing::TestClient;
use gateway_core::{BoxError, RunningApp};
use gateway_tests::redis::RedisServer;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn demo() -> Result<(RunningApp, String), BoxError> {
    let app = demo_app::start("127.0.0.1", 0, 0).await?;
    let base = format!("http://{}", app.addr());
    Ok((app, base))
}

/// A `/chat` client of `app` with `token`, in room `room`.
async fn in_room(app: &RunningApp, token: &str, room: &str) -> Result<TestClient, BoxError> {
    let chat = TestClient::builder(app.addr())
        .namespace("/chat")
        .auth(json!({ "token": token }))
        .connect()
        .await?;
    chat.emit("join", &json!({ "roomId": room })).await?;
    chat.expect::<String>("joined").await?;
    Ok(chat)
}

async fn login(http: &reqwest::Client, base: &str, name: &str) -> Result<String, BoxError> {
    let res = http
        .post(format!("{base}/auth/login"))
        .json(&json!({ "name": name }))
        .send()
        .await?;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await?;
    Ok(body["token"].as_str().ok_or("{token}")?.to_owned())
}

#[tokio::test]
async fn health_is_ok_in_memory() -> Result<(), BoxError> {
    let (app, base) = demo().await?;
    let res = reqwest::get(format!("{base}/health")).await?;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().await?,
        json!({ "status": "ok", "redis": "off" })
    );
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn an_http_login_opens_the_chat_and_an_invalid_name_is_a_400() -> Result<(), BoxError> {
    let (app, base) = demo().await?;
    let http = reqwest::Client::new();
    let token = login(&http, &base, "ada").await?;
    let chat = TestClient::builder(app.addr())
        .namespace("/chat")
        .auth(json!({ "token": token }))
        .connect()
        .await?;
    chat.expect::<Value>("welcome").await?;

    let res = http
        .post(format!("{base}/auth/login"))
        .json(&json!({ "name": "" }))
        .send()
        .await?;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await?;
    assert_eq!(body["message"], "Validation failed");
    assert_eq!(body["errors"][0]["field"], "name");
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn history_over_http_is_the_sockets_and_needs_a_token() -> Result<(), BoxError> {
    let (app, base) = demo().await?;
    let http = reqwest::Client::new();
    let token = login(&http, &base, "ada").await?;
    let chat = in_room(&app, &token, "r1").await?;
    let _: Value = chat
        .emit_with_ack("chat/send", &json!({ "roomId": "r1", "message": "hello" }))
        .await?;
    let over_socket: Value = chat
        .emit_with_ack("history", &json!({ "roomId": "r1" }))
        .await?;

    let url = format!("{base}/rooms/r1/history");
    let res = http.get(&url).bearer_auth(&token).send().await?;
    assert_eq!(res.status(), StatusCode::OK);
    let over_http: Value = res.json().await?;
    assert_eq!(over_http, over_socket);
    assert_eq!(over_http[0]["message"], "hello");

    for bad in [None, Some("not-a-token")] {
        let req = http.get(&url);
        let req = match bad {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        assert_eq!(req.send().await?.status(), StatusCode::UNAUTHORIZED);
    }
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn an_admin_announces_into_a_room() -> Result<(), BoxError> {
    let (app, base) = demo().await?;
    let http = reqwest::Client::new();
    let user = login(&http, &base, "bob").await?;
    let admin = login(&http, &base, "admin").await?;
    let listener = in_room(&app, &user, "r1").await?;

    let url = format!("{base}/rooms/r1/announce");
    let body = json!({ "message": "maintenance at noon" });
    let res = http.post(&url).json(&body).send().await?;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = http
        .post(&url)
        .bearer_auth(&user)
        .json(&body)
        .send()
        .await?;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    listener
        .expect_none("announcement", Duration::from_millis(100))
        .await?;

    let res = http
        .post(&url)
        .bearer_auth(&admin)
        .json(&body)
        .send()
        .await?;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let announcement: Value = listener.expect("announcement").await?;
    assert_eq!(
        announcement,
        json!({ "roomId": "r1", "message": "maintenance at noon", "from": "admin" })
    );
    app.shutdown().await;
    Ok(())
}

/// The demo's Prometheus metrics, as text.
async fn metrics(base: &str) -> Result<String, BoxError> {
    let res = reqwest::get(format!("{base}/metrics")).await?;
    assert_eq!(res.status(), StatusCode::OK);
    Ok(res.text().await?)
}

#[tokio::test]
async fn metrics_count_the_chat() -> Result<(), BoxError> {
    let (app, base) = demo().await?;
    let http = reqwest::Client::new();
    let token = login(&http, &base, "ana").await?;
    let _chat = in_room(&app, &token, "general").await?;
    let refused = TestClient::builder(app.addr())
        .namespace("/chat")
        .auth(json!({ "token": "forged" }))
        .connect_error()
        .await?;
    assert_eq!(refused.message, "Unauthorized");

    let text = metrics(&base).await?;
    for series in [
        r#"gateway_connections{namespace="/chat"} 1"#,
        r#"gateway_connections_opened_total{namespace="/chat"} 1"#,
        r#"gateway_messages_total{namespace="/chat",event="join",outcome="ok"} 1"#,
        r#"gateway_messages_total{namespace="/chat",event="chat/send",outcome="throttled"} 0"#,
        r#"gateway_handler_duration_seconds_count{namespace="/chat",event="join"} 1"#,
        r#"gateway_connections_refused_total{reason="guard"} 1"#,
        r#"gateway_adapter_up{adapter="memory"} 1"#,
        "gateway_packets_dropped_total 0",
    ] {
        assert!(text.lines().any(|l| l == series), "{series} not in\n{text}");
    }
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn health_follows_redis() -> Result<(), BoxError> {
    let mut redis = RedisServer::start();
    let url = redis.url();
    let mut demo = Demo::start(&[("REDIS_URL", url.as_str())]);
    assert!(
        demo.log.iter().any(|l| l.contains("RedisAdapter")),
        "on Redis"
    );
    let health = format!("http://{}/health", demo.addr);

    let res = reqwest::get(&health).await?;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await?["redis"], "up");

    let base = format!("http://{}", demo.addr);
    let up = r#"gateway_adapter_up{adapter="redis"}"#;
    assert!(metrics(&base).await?.contains(&format!("{up} 1")));

    redis.stop();
    let res = reqwest::get(&health).await?;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.json::<Value>().await?["redis"], "down");
    // The adapter notices the lost connection on its own: wait for it, within 20 s.
    let down = format!("{up} 0");
    let mut seen = false;
    for _ in 0..200 {
        if metrics(&base).await?.contains(&down) {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(seen, "/metrics still shows Redis up 20 s after it stopped");
    // SIGTERM with Redis down: it still exits cleanly (the Redis driver does not hold it).
    let stopped = tokio::task::spawn_blocking(move || demo.stop_with("TERM")).await?;
    assert!(stopped.success());
    Ok(())
}

#[tokio::test]
async fn an_announcement_posted_to_one_node_reaches_a_room_on_another() -> Result<(), BoxError> {
    let redis = RedisServer::start();
    let url = redis.url();
    let env = [
        ("REDIS_URL", url.as_str()),
        ("JWT_SECRET", "one secret for both nodes"),
    ];
    let mut a = Demo::start(&env);
    let mut b = Demo::start(&env);
    let http = reqwest::Client::new();
    let (base_a, base_b) = (format!("http://{}", a.addr), format!("http://{}", b.addr));

    // A user of node B, logged in on node A (one secret), in room r1 of node B.
    let user = login(&http, &base_a, "bob").await?;
    let listener = TestClient::builder(&b.addr)
        .namespace("/chat")
        .auth(json!({ "token": user }))
        .connect()
        .await?;
    listener.emit("join", &json!({ "roomId": "r1" })).await?;
    listener.expect::<String>("joined").await?;

    let admin = login(&http, &base_b, "admin").await?;
    let res = http
        .post(format!("{base_a}/rooms/r1/announce"))
        .bearer_auth(&admin)
        .json(&json!({ "message": "across nodes" }))
        .send()
        .await?;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let announcement: Value = listener.expect("announcement").await?;
    assert_eq!(announcement["message"], "across nodes");

    listener.disconnect().await?;
    let stopped = tokio::task::spawn_blocking(move || {
        (a.stop_with("TERM").success(), b.stop_with("TERM").success())
    })
    .await?;
    assert_eq!(stopped, (true, true));
    Ok(())
}
