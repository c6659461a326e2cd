//! The console's session: the same signed user token the API issues, kept in an HttpOnly,
//! SameSite=Strict cookie, and a CSRF token derived from it with the signing key, which every form
//! carries and every POST must send back.

use crate::error::ConsoleError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hrbridge_app::AppError;
use hrbridge_app::AppState;
use hrbridge_app::Caller;
use hrbridge_domain::auth::{Entity, Privilege};

pub const SESSION_COOKIE: &str = "hrbridge_session";
pub const FLASH_COOKIE: &str = "hrbridge_flash";
/// The hidden field every console form carries.
pub const CSRF_FIELD: &str = "_csrf";

/// The signed-in person looking at a page: a page handler that takes one answers with a redirect
/// to the sign-in page when there is no valid session.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub caller: Caller,
    pub csrf: String,
    /// A message left by the previous request (a redirect after a change), shown once.
    pub flash: Option<String>,
}

impl Viewer {
    pub fn can(&self, entity: Entity, privilege: Privilege) -> bool {
        self.caller.role.allows(entity, privilege)
    }
    /// 403 (as a page) unless the role grants `privilege` on `entity`.
    pub fn require(&self, entity: Entity, privilege: Privilege) -> Result<(), ConsoleError> {
        Ok(self.caller.require(entity, privilege)?)
    }
    pub fn name(&self) -> &str {
        &self.caller.name
    }
    pub fn role(&self) -> &str {
        &self.caller.role.name
    }
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

pub fn csrf_for(app: &AppState, session_token: &str) -> String {
    app.tokens.derive("console-csrf", session_token)
}

/// `Set-Cookie` for a new session that lives as long as its token; `Secure` when the request came
/// through an HTTPS proxy (`X-Forwarded-Proto: https`), so the token never travels in clear.
pub fn session_cookie(token: &str, max_age_seconds: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_seconds}{secure}")
}

/// Whether the browser reached us over HTTPS, through a proxy that says so.
pub fn over_https(parts: &Parts) -> bool {
    parts
        .headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

pub fn clear_cookie(name: &str) -> String {
    format!("{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// `Set-Cookie` carrying a one-time message to the next page.
pub fn flash_cookie(message: &str) -> String {
    format!("{FLASH_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age=60", URL_SAFE_NO_PAD.encode(message))
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        // After signing in the browser comes back with a GET: a form's own path would not answer it.
        let next = match parts.method {
            axum::http::Method::GET | axum::http::Method::HEAD => {
                parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into())
            }
            _ => "/".into(),
        };
        let Some(token) = cookie(parts, SESSION_COOKIE).filter(|t| !t.is_empty()) else {
            return Err(ConsoleError::SignIn { next, reason: None });
        };
        let caller = match Caller::from_token(app, token).await {
            Ok(caller) => caller,
            Err(AppError::Unauthorized(reason)) => return Err(ConsoleError::SignIn { next, reason: Some(reason) }),
            Err(other) => return Err(other.into()),
        };
        if caller.kind != hrbridge_store::ActorKind::User {
            return Err(ConsoleError::SignIn { next, reason: Some("sign in as a person, not an application".into()) });
        }
        let own_account = parts.uri.path() == "/account" || parts.uri.path().starts_with("/account/");
        if caller.must_change_password && !own_account && parts.uri.path() != "/sign-out" {
            return Err(ConsoleError::MustChangePassword);
        }
        if caller.must_enrol_totp && !own_account && parts.uri.path() != "/sign-out" {
            return Err(ConsoleError::MustEnrolTotp);
        }
        let flash = cookie(parts, FLASH_COOKIE)
            .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
            .and_then(|b| String::from_utf8(b).ok())
            .filter(|m| !m.is_empty());
        Ok(Viewer { csrf: csrf_for(app, token), caller, flash })
    }
}

/// A submitted form's fields in order, as sent (a field may repeat).
#[derive(Debug, Clone, Default)]
pub struct Form(pub Vec<(String, String)>);

impl Form {
    /// The field's value, trimmed; `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    }
    /// The record version the form was filled from (its hidden `version` field), if any.
    pub fn version(&self) -> Option<i64> {
        self.get("version").and_then(|v| v.parse().ok())
    }
    /// The field's value, trimmed, or "" when absent.
    pub fn text(&self, name: &str) -> &str {
        self.get(name).unwrap_or("")
    }
    /// Every non-blank value of a repeated field.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty()).collect()
    }
    /// The field as a JSON string, or null when blank: the shape the API's inputs take.
    pub fn json(&self, name: &str) -> serde_json::Value {
        self.get(name).map(|v| serde_json::Value::String(v.to_string())).unwrap_or(serde_json::Value::Null)
    }
    /// The field as a JSON number when it is one, null when blank, else the text (so that the
    /// input's own check names the field).
    pub fn json_number(&self, name: &str) -> serde_json::Value {
        match self.get(name) {
            None => serde_json::Value::Null,
            Some(v) => {
                if let Ok(n) = v.parse::<i64>() {
                    serde_json::Value::from(n)
                } else if let Ok(n) = v.parse::<f64>() {
                    serde_json::Value::from(n)
                } else {
                    serde_json::Value::String(v.to_string())
                }
            }
        }
    }
    pub fn checked(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| v != "false" && v != "off")
    }
}

/// A POSTed form from a signed-in viewer whose CSRF token matched: anything else is refused before
/// the handler runs (403 for a missing or wrong token).
pub struct Posted {
    pub viewer: Viewer,
    pub form: Form,
}

impl FromRequest<AppState> for Posted {
    type Rejection = ConsoleError;

    async fn from_request(request: Request, app: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let viewer = Viewer::from_request_parts(&mut parts, app).await?;
        let bytes = axum::body::to_bytes(body, 1 << 20)
            .await
            .map_err(|e| ConsoleError::Api(AppError::BadRequest(format!("cannot read the form: {e}"))))?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| ConsoleError::Api(AppError::BadRequest(format!("the form is not well formed: {e}"))))?;
        let form = Form(fields);
        let sent = form.0.iter().find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v.as_str()).unwrap_or("");
        if !constant_time_eq(sent.as_bytes(), viewer.csrf.as_bytes()) {
            return Err(ConsoleError::Csrf);
        }
        Ok(Posted { viewer, form })
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_fields_are_absent_and_numbers_stay_numbers() {
        let form = Form(vec![
            ("a".into(), "  ".into()),
            ("n".into(), "12".into()),
            ("f".into(), "1.5".into()),
            ("t".into(), "x1".into()),
            ("m".into(), "p".into()),
            ("m".into(), "q".into()),
        ]);
        assert_eq!(form.get("a"), None);
        assert_eq!(form.json("a"), serde_json::Value::Null);
        assert_eq!(form.json_number("n"), serde_json::json!(12));
        assert_eq!(form.json_number("f"), serde_json::json!(1.5));
        assert_eq!(form.json_number("t"), serde_json::json!("x1"));
        assert_eq!(form.all("m"), vec!["p", "q"]);
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"ab", b"abc"));
    }
}
