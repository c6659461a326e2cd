//! The console's one error type: a page, never a JSON problem. No session redirects to sign-in;
//! a refused privilege, a missing record or a conflict is a page that says so in words.

use crate::layout;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use hrbridge_app::AppError;
use hrbridge_store::StoreError;

#[derive(Debug)]
pub enum ConsoleError {
    /// No valid session: go to the sign-in page, and come back to `next` afterwards.
    SignIn {
        next: String,
        reason: Option<String>,
    },
    /// A POST without this session's CSRF token.
    Csrf,
    /// The viewer's password was reset: only their account page, to set a new one.
    MustChangePassword,
    /// A second factor is required of the viewer, who has none: only their account page.
    MustEnrolTotp,
    Api(AppError),
}

pub type ConsoleResult<T> = Result<T, ConsoleError>;

impl From<AppError> for ConsoleError {
    fn from(error: AppError) -> Self {
        ConsoleError::Api(error)
    }
}

impl From<StoreError> for ConsoleError {
    fn from(error: StoreError) -> Self {
        ConsoleError::Api(error.into())
    }
}

impl From<hrbridge_sync::SyncError> for ConsoleError {
    fn from(error: hrbridge_sync::SyncError) -> Self {
        ConsoleError::Api(error.into())
    }
}

impl From<hrbridge_domain::ValidationErrors> for ConsoleError {
    fn from(errors: hrbridge_domain::ValidationErrors) -> Self {
        ConsoleError::Api(AppError::Invalid(errors))
    }
}

/// Only paths on this site are followed after sign-in: one leading `/`, then visible ASCII with
/// no backslash (browsers drop tabs and newlines and read `\` as `/`, so `/<TAB>/evil.example`
/// would be another site).
pub fn safe_next(next: &str) -> &str {
    let on_this_site =
        next.starts_with('/') && !next.starts_with("//") && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    if on_this_site {
        next
    } else {
        "/"
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        match self {
            ConsoleError::SignIn { next, reason } => {
                let query = serde_urlencoded::to_string([("next", safe_next(&next))]).unwrap_or_default();
                let mut response = Redirect::to(&format!("/sign-in?{query}")).into_response();
                if let Some(reason) = reason {
                    if let Ok(value) = crate::session::flash_cookie(&reason).parse() {
                        response.headers_mut().append(header::SET_COOKIE, value);
                    }
                }
                response
            }
            ConsoleError::MustChangePassword | ConsoleError::MustEnrolTotp => {
                let mut response = Redirect::to("/account").into_response();
                let message = if matches!(self, ConsoleError::MustChangePassword) {
                    "Your password was reset: set a new one to go on."
                } else {
                    "Two-factor sign-in is required of administrators here: set it up to go on."
                };
                if let Ok(value) = crate::session::flash_cookie(message).parse() {
                    response.headers_mut().append(header::SET_COOKIE, value);
                }
                response
            }
            ConsoleError::Csrf => layout::error_page(
                StatusCode::FORBIDDEN,
                "This form cannot be accepted",
                "It did not carry this session's security token: it may come from an older page or another \
                 site. Go back, reload the page and send it again.",
            ),
            ConsoleError::Api(error) => {
                let (status, title) = match &error {
                    AppError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "Not signed in"),
                    AppError::Forbidden { .. }
                    | AppError::GrantRefused { .. }
                    | AppError::PasswordChangeRequired
                    | AppError::TotpEnrolmentRequired => (StatusCode::FORBIDDEN, "Not allowed"),
                    AppError::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "Too many attempts"),
                    AppError::NotFound(_) => (StatusCode::NOT_FOUND, "Not found"),
                    AppError::PreconditionFailed(_) => (StatusCode::PRECONDITION_FAILED, "Changed since"),
                    AppError::Conflict { .. } => (StatusCode::CONFLICT, "That cannot be done now"),
                    AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "Some fields are not valid"),
                    AppError::BadRequest(_) => (StatusCode::BAD_REQUEST, "The request was not understood"),
                    AppError::Internal(detail) => {
                        tracing::error!(%detail, "console request failed");
                        (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong")
                    }
                };
                let detail = match &error {
                    AppError::Internal(_) => "The server could not complete the request; it has been logged.".into(),
                    AppError::Forbidden { entity, privilege } => {
                        format!("Your role does not allow {privilege} on {entity}. Ask an administrator.")
                    }
                    other => other.to_string(),
                };
                layout::error_page(status, title, &detail)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_paths_of_this_site_are_followed() {
        assert_eq!(safe_next("/workers?q=ada"), "/workers?q=ada");
        for other in
            ["https://evil.example/", "//evil.example", "/\\evil.example", "/\t/evil.example", "/a\nb", "", "workers"]
        {
            assert_eq!(safe_next(other), "/", "{other:?}");
        }
    }
}
