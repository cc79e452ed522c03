//! The DTO of `echo-validated`, shared by the two Rust servers so that both validate the same
//! rules: the framework through `ValidationPipe`, the hand-written server by calling
//! [`Validate::validate`] itself. The Node servers check the same rules (class-validator in
//! NestJS, by hand in plain socket.io).

use serde::{Deserialize, Serialize};
use validator::Validate;

/// `{"n", "text"}`: `n` an integer in 0..=1 000 000, `text` 1 to 200 characters.
#[derive(Debug, Serialize, Deserialize, Validate)]
pub struct EchoDto {
    /// A number in range.
    #[validate(range(min = 0, max = 1_000_000))]
    pub n: i64,
    /// Some text, not empty.
    #[validate(length(min = 1, max = 200))]
    pub text: String,
}
