//! Login and the guards of the demo: JWTs (HS256, one hour) issued on `/`, required by `/chat`
//! at the handshake, and a roles guard reading `#[roles(...)]`.

use std::sync::OnceLock;

use gateway_core::prelude::*;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use schemars::{Schema, SchemaGenerator};

use crate::now_ms;

/// The process's signing secret, decided once, before the providers are built.
static SECRET: OnceLock<String> = OnceLock::new();

/// Decides the signing secret, once per process: `secret` (the configuration's `jwt_secret`,
/// which the configuration already refuses when empty); when there is none, a random secret
/// for this process, with a warning: its tokens do not survive a restart and are refused by
/// other nodes. There is no public default.
pub fn init_secret(secret: Option<&str>) -> Result<(), BoxError> {
    if SECRET.get().is_some() {
        return Ok(());
    }
    let secret = match secret {
        Some(s) if s.trim().is_empty() => return Err("the signing secret is empty".into()),
        Some(s) => s.to_owned(),
        None => random_secret()?,
    };
    SECRET.get_or_init(|| secret);
    Ok(())
}

/// Signs with `secret` in this process (a test that signs tokens of its own); `false` when the
/// secret was already decided.
pub fn use_secret(secret: &str) -> bool {
    SECRET.set(secret.to_owned()).is_ok()
}

fn random_secret() -> Result<String, BoxError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no random secret: {e}"))?;
    tracing::warn!(
        "JWT_SECRET is not set: using a random secret for this process; its tokens will not survive a restart nor open /chat on another node"
    );
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Who is connected, learned from the token by [`JwtGuard`]; handlers take it with
/// `Extension<User>`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    /// The name (the token's `sub`).
    pub name: String,
    /// `admin` or `user`.
    pub role: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    role: String,
    exp: u64,
}

/// When the connection's token expires (seconds since the Unix epoch), stored on the socket
/// by [`JwtGuard`]: the chat disconnects the socket then.
#[derive(Debug, Clone, Copy)]
pub struct TokenExpiry(pub u64);

/// The signing keys, from `JWT_SECRET`.
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Default for Keys {
    /// The keys of the secret [`init_secret`] decided (a random one if it was not called).
    fn default() -> Self {
        let secret = SECRET
            .get_or_init(|| random_secret().unwrap_or_else(|e| panic!("cannot sign tokens: {e}")));
        Keys {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
        }
    }
}

/// Issues and checks tokens.
#[injectable]
pub struct AuthService {
    keys: Keys,
}

impl AuthService {
    /// A token for `name`, valid one hour; the name `admin` gets the role `admin`.
    pub fn issue(&self, name: &str) -> Result<String, BoxError> {
        let role = if name == "admin" { "admin" } else { "user" };
        let claims = Claims {
            sub: name.to_owned(),
            role: role.to_owned(),
            exp: now_ms() / 1000 + 3600,
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.keys.encoding,
        )?)
    }

    /// The user of a valid, unexpired token, and when the token expires.
    pub fn verify(&self, token: &str) -> Option<(User, TokenExpiry)> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5; // seconds of clock skew, not the default minute
        let data = jsonwebtoken::decode::<Claims>(token, &self.keys.decoding, &validation).ok()?;
        let user = User {
            name: data.claims.sub,
            role: data.claims.role,
        };
        Some((user, TokenExpiry(data.claims.exp)))
    }
}

/// `{"token"}`, the handshake's auth payload.
#[derive(Deserialize, JsonSchema)]
pub struct TokenAuth {
    /// A token from `login` on `/`.
    pub token: String,
}

/// Lets a connection in only with a valid token; stores its [`User`] on the socket.
#[injectable]
pub struct JwtGuard {
    auth: Arc<AuthService>,
}

impl ConnectionGuard for JwtGuard {
    async fn can_connect(&self, ctx: &ConnectionContext<'_>) -> Result<bool, ConnectionRefused> {
        let Some(TokenAuth { token }) = ctx.auth_as::<TokenAuth>() else {
            return Ok(false);
        };
        let Some((user, expiry)) = self.auth.verify(&token) else {
            return Ok(false);
        };
        ctx.socket().extensions().insert(user);
        ctx.socket().extensions().insert(expiry);
        Ok(true)
    }

    fn auth_schema(generator: &mut SchemaGenerator) -> Option<Schema> {
        Some(generator.subschema_for::<TokenAuth>())
    }
}

/// Lets a message through when the handler has no `#[roles]`, or the user has one of them.
#[injectable]
pub struct RolesGuard;

impl CanActivate for RolesGuard {
    async fn can_activate(&self, ctx: &ExecutionContext<'_>) -> Result<bool, HandlerError> {
        let Some(roles) = ctx.metadata::<Vec<String>>("roles") else {
            return Ok(true);
        };
        let user = ctx.socket().extensions().get::<User>();
        Ok(user.is_some_and(|u| roles.contains(&u.role)))
    }
}
