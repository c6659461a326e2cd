//! Two-factor sign-in (TOTP, RFC 6238, with the `totp-rs` crate): a person enrols with an
//! authenticator app (a QR code, or the secret typed in), confirms with a code, and gets ten
//! single-use recovery codes, shown once. From then on signing in takes a code from the app or a
//! recovery code. A setting requires it of system administrators: until they enrol, they may do
//! nothing but enrol.

use super::ClientInfo;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use hrbridge_store::sign_in::ThrottleKey;
use hrbridge_store::users::Credentials;
use hrbridge_store::{Actor, ActorKind};
use serde::Serialize;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};
use utoipa::ToSchema;

/// What an authenticator app needs to enrol: the secret (base32) and the `otpauth://` URL the
/// QR code carries.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Enrolment {
    pub secret: String,
    pub otpauth_url: String,
}

/// The recovery codes, shown this once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

const ISSUER: &str = "hrbridge";
const RECOVERY_CODES: usize = 10;

fn totp(secret_base32: &str) -> AppResult<TOTP> {
    let bytes = Secret::Encoded(secret_base32.to_string())
        .to_bytes()
        .map_err(|e| AppError::Internal(format!("a stored TOTP secret is not base32: {e:?}")))?;
    // Six digits, 30-second steps, one step either side for clocks that drift.
    TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes).map_err(|e| AppError::Internal(format!("TOTP: {e}")))
}

/// Whether `code` is the secret's code now (or one step either side).
fn code_matches(app: &AppState, secret_base32: &str, code: &str) -> AppResult<bool> {
    let now = u64::try_from(app.clock.now().timestamp()).unwrap_or(0);
    Ok(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) && totp(secret_base32)?.check(code, now))
}

fn code_hash(code: &str) -> String {
    let normal: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_uppercase();
    Sha256::digest(normal.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A recovery code: 80 random bits as four groups of four base32 characters.
fn recovery_code() -> String {
    let mut bytes = [0u8; 10];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
    let Secret::Encoded(text) = Secret::Raw(bytes.to_vec()).to_encoded() else { unreachable!("to_encoded encodes") };
    text.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-")
}

fn person(caller: &Caller) -> AppResult<()> {
    if caller.kind == ActorKind::User {
        Ok(())
    } else {
        Err(AppError::BadRequest("only a person signs in with a second factor".into()))
    }
}

/// Starts enrolment: a new secret, kept until it is confirmed with a code.
pub async fn begin_enrolment(app: &AppState, caller: &Caller) -> AppResult<Enrolment> {
    person(caller)?;
    let mut bytes = [0u8; 20];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
    let Secret::Encoded(secret) = Secret::Raw(bytes.to_vec()).to_encoded() else { unreachable!("to_encoded encodes") };
    app.hr.set_totp_pending(&caller.name, &secret).await?;
    Ok(enrolment_for(&caller.name, secret))
}

/// The enrolment of `username` with `secret` (base32).
pub fn enrolment_for(username: &str, secret: String) -> Enrolment {
    let account = username.replace('@', "%40");
    let otpauth_url = format!("otpauth://totp/{ISSUER}:{account}?secret={secret}&issuer={ISSUER}&digits=6&period=30");
    Enrolment { secret, otpauth_url }
}

/// The QR code of an enrolment's URL, as SVG (drawn here: the page loads nothing from elsewhere).
pub fn qr_svg(otpauth_url: &str) -> AppResult<String> {
    let code = qrcode::QrCode::new(otpauth_url.as_bytes()).map_err(|e| AppError::Internal(format!("QR code: {e}")))?;
    Ok(code.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).build())
}

/// Confirms enrolment with a code from the app: two-factor sign-in is on, and the recovery codes
/// are answered this once.
pub async fn confirm_enrolment(app: &AppState, caller: &Caller, code: &str) -> AppResult<RecoveryCodes> {
    person(caller)?;
    let Some(secret) = app.hr.totp_pending(&caller.name).await? else {
        return Err(AppError::Conflict { field: None, message: "start enrolment first".into() });
    };
    if !code_matches(app, &secret, code.trim())? {
        return Err(AppError::invalid("code", "is not the code your authenticator app shows now"));
    }
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
    let hashes: Vec<String> = codes.iter().map(|c| code_hash(c)).collect();
    app.hr.enable_totp(&caller.actor(), &caller.name, &secret, &hashes).await?;
    app.sessions.changed();
    Ok(RecoveryCodes { recovery_codes: codes })
}

/// Turns two-factor sign-in off, with the current password; refused (409) while the setting
/// requires it of the caller.
pub async fn disable(app: &AppState, caller: &Caller, client: &ClientInfo, current_password: String) -> AppResult<()> {
    person(caller)?;
    if required_of(app, &caller.role.name) {
        return Err(AppError::Conflict {
            field: None,
            message: "two-factor sign-in is required of system administrators here".into(),
        });
    }
    let stored = app.hr.credentials(&caller.name).await?.map(|c| c.password_hash);
    if !super::sign_in::verify_password(current_password, stored).await? {
        let keys = [ThrottleKey {
            key: format!("account:{}", caller.name),
            allowance: app.settings.sign_in.account_allowance,
        }];
        let detail = serde_json::json!({ "address": client.address });
        let what = ("totp-disable-refused", "user");
        app.hr.record_sign_in_failure(&keys, &app.settings.sign_in, &caller.actor(), what, &detail).await?;
        return Err(AppError::invalid("current_password", "is not your current password"));
    }
    app.hr.disable_totp(&caller.actor(), &caller.name).await?;
    app.sessions.changed();
    Ok(())
}

/// Whether the setting requires two-factor sign-in of a holder of `role`.
pub fn required_of(app: &AppState, role: &str) -> bool {
    app.settings.require_totp_for_administrators && role == hrbridge_domain::auth::SYSTEM_ADMINISTRATOR
}

/// The second factor at sign-in, once the password has passed: nothing to do without TOTP; else
/// a code from the app or an unused recovery code. A wrong one counts as a failed sign-in.
pub(super) async fn second_factor(
    app: &AppState,
    user: &Credentials,
    code: Option<&str>,
    keys: &[ThrottleKey],
    actor: &Actor,
    address: &str,
) -> AppResult<()> {
    let Some(secret) = &user.totp_secret else {
        return Ok(());
    };
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return Err(AppError::Unauthorized(
            "this account signs in with a two-factor code: send it as totp_code (or a recovery code)".into(),
        ));
    };
    let passed = if code.len() == 6 {
        code_matches(app, secret, code)?
    } else {
        code.len() <= 64 && app.hr.use_recovery_code(&user.username, &code_hash(code)).await?
    };
    if passed {
        return Ok(());
    }
    let detail = serde_json::json!({ "address": address, "second_factor": true });
    let what = ("sign-in-refused", "user");
    app.hr.record_sign_in_failure(keys, &app.settings.sign_in, actor, what, &detail).await?;
    Err(AppError::Unauthorized("wrong two-factor code".into()))
}

/// A code for `secret` at `unix_seconds` (for tests and the CLI's checks).
pub fn code_at(secret_base32: &str, unix_seconds: u64) -> AppResult<String> {
    Ok(totp(secret_base32)?.generate(unix_seconds))
}
