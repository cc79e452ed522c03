//! The API description of gateways using every form: what each handler's body and ack, each
//! declared event and each namespace become in the AsyncAPI document and the TypeScript maps.

use gateway_core::prelude::*;
use serde_json::json;

/// No `JsonSchema`: described as any value.
#[derive(Deserialize, Serialize)]
struct Plain {
    n: u32,
}

#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)] // only described
struct Point {
    x: i32,
    y: i32,
}

#[derive(Serialize, JsonSchema, Event)]
#[event("moved")]
struct Moved {
    to: Option<String>,
}

#[derive(Serialize, JsonSchema, Event)]
#[event("count")]
#[serde(transparent)]
struct Count(u64);

#[injectable]
struct FormsGateway;

#[web_socket_gateway(namespace = "/forms", emits = [Moved, Count])]
impl FormsGateway {
    #[subscribe_message("plain")]
    fn plain(&self, #[message_body] p: Plain) -> Plain {
        p
    }

    #[subscribe_message("prop")]
    fn prop(&self, #[message_body("roomId")] room: String) -> WsResult<Option<u32>, BoxError> {
        Ok(Some(room.len() as u32))
    }

    #[subscribe_message("pair")]
    fn pair(&self, #[message_body] (a, b): (String, Point)) {
        let _ = (a, b);
    }

    #[subscribe_message("manual")]
    fn manual(&self, ack: AckSender) {
        let _ = ack;
    }

    #[subscribe_message("nothing")]
    fn nothing(&self) -> WsResponse<Count> {
        WsResponse::event(Count(1))
    }
}

#[injectable]
struct RegexGateway;

#[web_socket_gateway(port = 4001, namespace = regex("^/\\w+$"))]
impl RegexGateway {
    #[subscribe_message("ping")]
    fn ping(&self) {}
}

#[module(providers = [FormsGateway, RegexGateway])]
struct AppModule;

fn api() -> gateway_core::describe::ApiDescription {
    GatewayApplication::describe::<AppModule>()
        .title("Forms")
        .server("example.test", 80)
        .map_port(4001, 5001)
}

#[test]
fn bodies_and_acks_from_the_types() {
    let doc = api().asyncapi();
    let messages = &doc["channels"]["forms"]["messages"];
    assert_eq!(
        messages["plain"]["payload"],
        json!({}),
        "no JsonSchema: any value"
    );
    assert_eq!(messages["plain.ack"]["payload"], json!({}));
    assert_eq!(
        messages["prop"]["payload"],
        json!({"type": "object", "properties": {"roomId": {"type": "string"}}, "required": ["roomId"]})
    );
    assert_eq!(
        messages["prop.ack"]["payload"]["type"], "integer",
        "Option<T> acks T"
    );
    assert_eq!(
        messages["pair"]["payload"]["items"][1]["$ref"],
        "#/components/schemas/Point"
    );
    assert!(messages.get("pair.ack").is_none(), "() acks nothing");
    assert_eq!(
        messages["manual.ack"]["payload"],
        json!({}),
        "an AckSender acks anything"
    );
    assert!(
        messages["manual"].get("payload").is_none(),
        "no body, no payload"
    );
    assert!(
        messages.get("nothing.ack").is_none(),
        "a WsResponse is an emit, not an ack"
    );
    assert_eq!(
        messages["moved"]["payload"]["$ref"],
        "#/components/schemas/Moved"
    );
    assert_eq!(messages["count"]["payload"]["type"], "integer");
    assert_eq!(
        doc["operations"]["forms.prop"]["reply"]["messages"][0]["$ref"],
        "#/channels/forms/messages/prop.ack"
    );
    assert_eq!(doc["operations"]["forms.moved.send"]["action"], "send");
    assert_eq!(
        doc["components"]["schemas"]["Point"]["required"],
        json!(["x", "y"])
    );
}

#[test]
fn servers_and_namespaces() {
    let doc = api().asyncapi();
    assert_eq!(doc["servers"]["main"]["host"], "example.test:80");
    assert_eq!(
        doc["servers"]["port5001"]["host"], "example.test:5001",
        "map_port applies"
    );
    let regex = &doc["channels"]["regex"];
    assert_eq!(
        regex["address"],
        json!(null),
        "a regex namespace has no one address"
    );
    assert_eq!(regex["servers"][0]["$ref"], "#/servers/port5001");
    assert_eq!(regex["title"], "regex(^/\\w+$)");
}

#[test]
fn typescript_maps() {
    let files = api().typescript();
    let forms = files
        .iter()
        .find(|f| f.file_name == "forms.d.ts")
        .expect("forms.d.ts");
    for line in [
        "  plain: (payload: unknown, ack: (response: unknown) => void) => void;",
        "  prop: (payload: {\n    roomId: string;\n  }, ack: (response: number) => void) => void;",
        "  pair: (arg0: string, arg1: Point) => void;",
        "  manual: (ack: (response: unknown) => void) => void;",
        "  nothing: () => void;",
        "  moved: (payload: Moved) => void;",
        "  count: (payload: number) => void;",
        "  exception: (payload: WsExceptionPayload) => void;",
        "export interface Moved {\n  to: string | null;\n}",
    ] {
        assert!(
            forms.contents.contains(line),
            "{line:?} missing from\n{}",
            forms.contents
        );
    }
    assert_eq!(
        files
            .iter()
            .map(|f| f.file_name.as_str())
            .collect::<Vec<_>>(),
        ["forms.d.ts", "regex.d.ts"]
    );
}
