//! Configuration: defaults, then a TOML file, then `HRBRIDGE_*` environment variables, then
//! command-line flags. Secrets are never printed: their Debug shows `***`, database URLs are
//! shown with the password redacted.

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use hrbridge_app::{AppSettings, StoreLocation};
use hrbridge_store::db::redact_url;
use hrbridge_store::sign_in::ThrottlePolicy;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

/// A secret value: usable, never shown.
#[derive(Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[derive(Clone, Serialize, Deserialize)]
pub struct Config {
    /// Where the two SQLite files live (when no database URLs are set).
    pub data_dir: PathBuf,
    pub listen: String,
    pub hr_database_url: Option<Secret>,
    pub scheduling_database_url: Option<Secret>,
    /// The first administrator's password (first start only).
    pub admin_password: Option<Secret>,
    pub token_ttl_seconds: i64,
    /// A person's session unused this long ends (0: never).
    pub session_idle_seconds: i64,
    /// System administrators must sign in with a second factor (TOTP).
    pub require_totp_for_administrators: bool,
    pub personnel_number_prefix: String,
    pub personnel_number_width: i64,
    pub max_import_bytes: u64,
    /// A tracing filter, e.g. `info` or `hrbridge=debug`.
    pub log: String,
    /// A maps file replacing the default maps (`HRBRIDGE_MAPS_FILE`).
    pub maps_file: Option<PathBuf>,
    /// How often the missed-request sync runs while the integration is on.
    pub missed_request_sync_seconds: u64,
    /// The ATS API's rate limit per app: requests per second, and the burst allowed.
    pub ats_rate_per_second: u32,
    pub ats_rate_burst: u32,
    /// Failed sign-ins an account (or app) may have before it is blocked.
    pub sign_in_account_allowance: i64,
    /// Failed sign-ins one client address may have, over every account, before it is blocked.
    pub sign_in_address_allowance: i64,
    /// The longest block, in seconds (each failure past the allowance doubles it from 1 s).
    pub sign_in_max_block_seconds: i64,
    /// Take the client's address from `X-Forwarded-For` (only behind a proxy that sets it).
    pub trust_forwarded_for: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./data"),
            listen: "127.0.0.1:8080".into(),
            hr_database_url: None,
            scheduling_database_url: None,
            admin_password: None,
            token_ttl_seconds: 3600,
            session_idle_seconds: 1800,
            require_totp_for_administrators: false,
            personnel_number_prefix: String::new(),
            personnel_number_width: 6,
            max_import_bytes: 1 << 30,
            log: "info".into(),
            maps_file: None,
            missed_request_sync_seconds: 60,
            ats_rate_per_second: 100,
            ats_rate_burst: 200,
            sign_in_account_allowance: ThrottlePolicy::default().account_allowance,
            sign_in_address_allowance: ThrottlePolicy::default().address_allowance,
            sign_in_max_block_seconds: ThrottlePolicy::default().max_delay_seconds,
            trust_forwarded_for: false,
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = |u: &Option<Secret>| u.as_ref().map(|s| redact_url(s.expose()));
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("listen", &self.listen)
            .field("hr_database_url", &url(&self.hr_database_url))
            .field("scheduling_database_url", &url(&self.scheduling_database_url))
            .field("admin_password", &self.admin_password)
            .field("token_ttl_seconds", &self.token_ttl_seconds)
            .field("session_idle_seconds", &self.session_idle_seconds)
            .field("require_totp_for_administrators", &self.require_totp_for_administrators)
            .field("personnel_number_prefix", &self.personnel_number_prefix)
            .field("personnel_number_width", &self.personnel_number_width)
            .field("max_import_bytes", &self.max_import_bytes)
            .field("log", &self.log)
            .field("maps_file", &self.maps_file)
            .field("missed_request_sync_seconds", &self.missed_request_sync_seconds)
            .field("ats_rate_per_second", &self.ats_rate_per_second)
            .field("ats_rate_burst", &self.ats_rate_burst)
            .field("sign_in_account_allowance", &self.sign_in_account_allowance)
            .field("sign_in_address_allowance", &self.sign_in_address_allowance)
            .field("sign_in_max_block_seconds", &self.sign_in_max_block_seconds)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .finish()
    }
}

/// Flags that override the configuration.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
}

impl Config {
    /// Loads the configuration. The file is `file` if given, else `$HRBRIDGE_CONFIG`, else
    /// `./hrbridge.toml` when it exists.
    pub fn load(file: Option<&Path>, overrides: Overrides) -> Result<Self, String> {
        let file = file
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("HRBRIDGE_CONFIG").map(PathBuf::from))
            .or_else(|| Some(PathBuf::from("hrbridge.toml")).filter(|p| p.exists()));
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = &file {
            if !file.exists() {
                return Err(format!("the configuration file {} does not exist", file.display()));
            }
            figment = figment.merge(Toml::file(file));
        }
        figment = figment
            .merge(Env::prefixed("HRBRIDGE_").ignore(&["CONFIG", "TEST_POSTGRES_URL"]))
            .merge(Serialized::defaults(overrides));
        figment.extract().map_err(|e| format!("configuration: {e}"))
    }

    pub fn settings(&self) -> Result<AppSettings, String> {
        let mut settings = AppSettings::sqlite(self.data_dir.clone());
        match (&self.hr_database_url, &self.scheduling_database_url) {
            (Some(hr), Some(scheduling)) => {
                settings.hr = StoreLocation::Postgres(hr.expose().to_string());
                settings.scheduling = StoreLocation::Postgres(scheduling.expose().to_string());
            }
            (None, None) => {}
            _ => {
                return Err("set both HRBRIDGE_HR_DATABASE_URL and HRBRIDGE_SCHEDULING_DATABASE_URL, or neither".into())
            }
        }
        settings.token_ttl_seconds = self.token_ttl_seconds;
        settings.session_idle_seconds = self.session_idle_seconds.max(0);
        settings.require_totp_for_administrators = self.require_totp_for_administrators;
        settings.personnel_number_prefix = self.personnel_number_prefix.clone();
        settings.personnel_number_width = self.personnel_number_width;
        settings.max_import_bytes = self.max_import_bytes;
        settings.maps_file = self.maps_file.clone();
        settings.missed_request_sync_seconds = self.missed_request_sync_seconds;
        settings.ats_rate_per_second = self.ats_rate_per_second;
        settings.ats_rate_burst = self.ats_rate_burst;
        settings.sign_in = ThrottlePolicy {
            account_allowance: self.sign_in_account_allowance.max(1),
            address_allowance: self.sign_in_address_allowance.max(1),
            max_delay_seconds: self.sign_in_max_block_seconds.max(1),
            ..ThrottlePolicy::default()
        };
        settings.trust_forwarded_for = self.trust_forwarded_for;
        Ok(settings)
    }

    /// Where the stores are, for logs: paths or redacted URLs.
    pub fn describe_stores(&self) -> String {
        match (&self.hr_database_url, &self.scheduling_database_url) {
            (Some(hr), Some(s)) => {
                format!("PostgreSQL: HR {}, scheduling {}", redact_url(hr.expose()), redact_url(s.expose()))
            }
            _ => format!("SQLite in {}", self.data_dir.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_urls_are_not_printed() {
        let config = Config {
            hr_database_url: Some(Secret("postgres://hr:hunter2@db/hr".into())),
            scheduling_database_url: Some(Secret("postgres://s:hunter2@db/s".into())),
            admin_password: Some(Secret("hunter2".into())),
            ..Config::default()
        };
        let shown = format!("{config:?} {}", config.describe_stores());
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("postgres://hr:***@db/hr"));
    }

    #[test]
    fn flags_override_defaults() {
        let config = Config::load(None, Overrides { listen: Some("127.0.0.1:9999".into()), data_dir: None }).unwrap();
        assert_eq!(config.listen, "127.0.0.1:9999");
    }
}
