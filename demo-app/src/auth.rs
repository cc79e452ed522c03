//! Login and the guards of the demo: JWTs (HS256, one hour) issued on `/`, required by `/chat`
//! at the handshake, and a roles guard reading `#[roles(...)]`.

use gateway_core::prelude::*;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};

use crate::now_ms;

/// The development secret used when `JWT_SECRET` is not set.
const DEV_SECRET: &str = "dev-secret-change-me";

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

/// The signing keys, from `JWT_SECRET`.
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Default for Keys {
    fn default() -> Self {
        let secret = std::env::var("JWT_SECRET").unwrap_or_else(|_| {
            tracing::warn!("JWT_SECRET is not set: using a development secret, do not deploy this");
            DEV_SECRET.to_owned()
        });
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

    /// The user of a valid, unexpired token.
    pub fn verify(&self, token: &str) -> Option<User> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5; // seconds of clock skew, not the default minute
        let data = jsonwebtoken::decode::<Claims>(token, &self.keys.decoding, &validation).ok()?;
        Some(User {
            name: data.claims.sub,
            role: data.claims.role,
        })
    }
}

/// `{"token"}`, the handshake's auth payload.
#[derive(Deserialize)]
struct TokenAuth {
    token: String,
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
        let Some(user) = self.auth.verify(&token) else {
            return Ok(false);
        };
        ctx.socket().extensions().insert(user);
        Ok(true)
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
