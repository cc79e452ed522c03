//! The AsyncAPI 3.0 document.

use serde_json::{Map, Value, json};

use super::schema::{Schemas, exception_schema};
use super::{ApiDescription, Channel, event_key};

/// Where the named types go, and where the `$ref`s point.
const COMPONENTS: &str = "/components/schemas";

pub(super) fn document(api: &ApiDescription, channels: &[Channel]) -> Value {
    let mut schemas = Schemas::new(COMPONENTS);
    let mut servers = Map::new();
    let mut out_channels = Map::new();
    let mut operations = Map::new();
    for c in channels {
        let server = server_key(c.port);
        if !servers.contains_key(&server) {
            servers.insert(server.clone(), server_object(api, c));
        }
        let (channel, ops) = channel(c, &server, &mut schemas);
        out_channels.insert(c.key.clone(), channel);
        operations.extend(ops);
    }
    let mut components = schemas.definitions();
    components.insert("WsExceptionPayload".to_owned(), exception_schema());
    let mut info = json!({ "title": api.title, "version": api.version });
    if let Some(d) = &api.description {
        info["description"] = json!(d);
    }
    json!({
        "asyncapi": "3.0.0",
        "info": info,
        "defaultContentType": "application/json",
        "servers": servers,
        "channels": out_channels,
        "operations": operations,
        "components": { "schemas": components },
    })
}

fn server_key(port: Option<u16>) -> String {
    port.map_or_else(|| "main".to_owned(), |p| format!("port{p}"))
}

fn server_object(api: &ApiDescription, c: &Channel) -> Value {
    let port = c.port.unwrap_or(api.port);
    let path = c
        .gateways
        .iter()
        .find_map(|g| g.options.path)
        .unwrap_or("/socket.io/");
    let what = match c.port {
        None => "The main listener".to_owned(),
        Some(p) => format!("The listener of the gateways on port {p}"),
    };
    json!({
        "host": format!("{}:{port}", api.host),
        "protocol": "ws",
        "pathname": path,
        "description": format!("{what}: socket.io 4 (engine.io over WebSocket or HTTP long-polling)."),
    })
}

/// A message of the channel: its event name and payload (none for an event without data).
fn message(name: &str, title: String, payload: Option<Value>) -> Value {
    let mut m = json!({ "name": name, "title": title });
    if let Some(mut p) = payload {
        // `true` (any value) as the object AsyncAPI's schema format expects.
        if p == Value::Bool(true) {
            p = json!({});
        }
        m["payload"] = p;
    }
    m
}

fn reference(path: String) -> Value {
    json!({ "$ref": path })
}

fn channel(c: &Channel, server: &str, schemas: &mut Schemas) -> (Value, Map<String, Value>) {
    let chan_ref = format!("#/channels/{}", c.key);
    let msg_ref = |key: &str| reference(format!("{chan_ref}/messages/{key}"));
    let mut messages = Map::new();
    let mut operations = Map::new();
    for g in &c.gateways {
        for h in g.handlers {
            let key = event_key(h.event);
            let body = h.body.map(|f| schemas.input(f));
            messages.insert(
                key.clone(),
                message(
                    h.event,
                    format!("{} (to {}::{})", h.event, g.name, h.method),
                    body,
                ),
            );
            let mut op = json!({
                "action": "receive",
                "channel": reference(chan_ref.clone()),
                "title": h.event,
                "summary": format!("Handled by {}::{}.", g.name, h.method),
                "messages": [msg_ref(&key)],
            });
            if let Some(ack) = h.ack {
                let ack_key = format!("{key}.ack");
                let payload = schemas.output(ack);
                messages.insert(
                    ack_key.clone(),
                    message(h.event, format!("{} ack", h.event), Some(payload)),
                );
                op["reply"] = json!({
                    "channel": reference(chan_ref.clone()),
                    "messages": [msg_ref(&ack_key)],
                });
            }
            operations.insert(format!("{}.{key}", c.key), op);
        }
    }
    let emits = c
        .gateways
        .iter()
        .flat_map(|g| g.emits.iter().map(move |e| (g, e)));
    let exception = (
        "exception",
        "Sent when a handler, guard, pipe or hook fails.".to_owned(),
        reference(format!("#{COMPONENTS}/WsExceptionPayload")),
    );
    let mut sent = Vec::new();
    for (g, e) in emits {
        if sent.iter().any(|(name, _, _)| *name == e.event) {
            continue;
        }
        sent.push((
            e.event,
            format!("Sent by {}.", g.name),
            schemas.output(e.schema),
        ));
    }
    sent.push(exception);
    for (event, summary, payload) in sent {
        let mut key = event_key(event);
        if messages.contains_key(&key) {
            key.push_str(".sent");
        }
        messages.insert(
            key.clone(),
            message(event, format!("{event} (sent)"), Some(payload)),
        );
        operations.insert(
            format!("{}.{key}.send", c.key),
            json!({
                "action": "send",
                "channel": reference(chan_ref.clone()),
                "title": event,
                "summary": summary,
                "messages": [msg_ref(&key)],
            }),
        );
    }
    let mut description = format!(
        "Namespace {} ({}).",
        c.namespace.display(),
        c.gateway_names()
    );
    let mut channel = json!({
        "address": c.address(),
        "title": c.namespace.display(),
        "servers": [reference(format!("#/servers/{server}"))],
        "messages": messages,
    });
    let params = c.params();
    if !params.is_empty() {
        let described: Map<String, Value> = params
            .iter()
            .map(|p| {
                let d =
                    format!("The `{p}` segment of the namespace, given to handlers as NsParams.");
                ((*p).to_owned(), json!({ "description": d }))
            })
            .collect();
        channel["parameters"] = Value::Object(described);
    }
    if let Some(auth) = auth_schema(c, schemas) {
        description.push_str(
            " The handshake's `auth` (io(url, { auth })) must fit `x-socketio-auth`; a refused one gets `connect_error`.",
        );
        channel["x-socketio-auth"] = auth;
    }
    channel["description"] = json!(description);
    (channel, operations)
}

/// What the connection guards of the channel's gateways say the `auth` payload is (all of
/// them must let it through).
pub(super) fn auth_schema(c: &Channel, schemas: &mut Schemas) -> Option<Value> {
    let all: Vec<Value> = c
        .gateways
        .iter()
        .flat_map(|g| g.bindings.connection_guards.iter())
        .filter_map(|guard| guard.auth_schema(schemas.inputs()))
        .map(schemars::Schema::to_value)
        .collect();
    match all.len() {
        0 => None,
        1 => all.into_iter().next(),
        _ => Some(json!({ "allOf": all })),
    }
}
