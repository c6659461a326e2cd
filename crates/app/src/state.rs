//! The application: both stores, the token signer, roles, clock and settings, shared by handlers.

use crate::app_registry::AppRegistry;
use crate::caller::{RoleCache, TokenSigner};
use crate::finder::Finder;
use crate::session_cache::SessionCache;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hrbridge_domain::auth::{Role, SYSTEM_ADMINISTRATOR};
use hrbridge_domain::{Clock, IdGen};
use hrbridge_store::scheduling::SchedulingStore;
use hrbridge_store::sign_in::ThrottlePolicy;
use hrbridge_store::{password, settings, Actor, Db, HrStore, StoreError, StoreKind};
use hrbridge_sync::{Engine, Maps};
use std::path::PathBuf;
use std::sync::Arc;

/// Where a store lives.
#[derive(Debug, Clone)]
pub enum StoreLocation {
    /// A SQLite file in this directory.
    Sqlite(PathBuf),
    /// A PostgreSQL database URL.
    Postgres(String),
}

impl StoreLocation {
    pub async fn open(&self, kind: StoreKind) -> Result<Db, StoreError> {
        match self {
            StoreLocation::Sqlite(dir) => Db::open_sqlite(dir, kind).await,
            StoreLocation::Postgres(url) => Db::open_postgres(url, kind).await,
        }
    }
}

#[derive(Debug, Clone)]
pub struct AppSettings {
    pub hr: StoreLocation,
    pub scheduling: StoreLocation,
    /// How long a bearer token (and its session) lives at most.
    pub token_ttl_seconds: i64,
    /// A person's session unused for this long ends (0: never); apps' tokens have no idle limit.
    pub session_idle_seconds: i64,
    /// System administrators must sign in with a second factor (TOTP): until they enrol they may
    /// do nothing but enrol.
    pub require_totp_for_administrators: bool,
    pub personnel_number_prefix: String,
    pub personnel_number_width: i64,
    /// The largest bulk-import body accepted over HTTP.
    pub max_import_bytes: u64,
    /// The ATS API's rate limit per app (or user): requests per second, and the burst allowed.
    pub ats_rate_per_second: u32,
    pub ats_rate_burst: u32,
    /// A maps file replacing the default maps.
    pub maps_file: Option<PathBuf>,
    /// How often the missed-request sync runs on its own while the integration is on.
    pub missed_request_sync_seconds: u64,
    /// How failed sign-ins are throttled.
    pub sign_in: ThrottlePolicy,
    /// Take the client's address from `X-Forwarded-For` (set only behind a reverse proxy that
    /// writes it; otherwise clients could choose their own address).
    pub trust_forwarded_for: bool,
}

impl AppSettings {
    pub fn sqlite(data_dir: PathBuf) -> Self {
        Self {
            hr: StoreLocation::Sqlite(data_dir.clone()),
            scheduling: StoreLocation::Sqlite(data_dir),
            token_ttl_seconds: 3600,
            session_idle_seconds: 1800,
            require_totp_for_administrators: false,
            personnel_number_prefix: String::new(),
            personnel_number_width: 6,
            max_import_bytes: 1 << 30,
            ats_rate_per_second: 100,
            ats_rate_burst: 200,
            maps_file: None,
            missed_request_sync_seconds: 60,
            sign_in: ThrottlePolicy::default(),
            trust_forwarded_for: false,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub hr: HrStore,
    pub scheduling: SchedulingStore,
    pub tokens: TokenSigner,
    pub roles: RoleCache,
    /// The resource finder's index, kept fresh from the scheduling outbox.
    pub finder: Arc<Finder>,
    /// Apps' recently verified secrets.
    pub apps: Arc<AppRegistry>,
    /// Session checks, kept while no process has ended a session since (see the module).
    pub sessions: Arc<SessionCache>,
    /// The ATS API's rate limit, a token bucket per caller.
    pub ats_limiter: Arc<crate::rate_limit::RateLimiter>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGen>,
    pub settings: Arc<AppSettings>,
    /// The sync engine between the two stores.
    pub engine: Arc<Engine>,
    /// Wakes the sync worker: a pass at once, or (`catch_up`) the missed-request sync.
    pub sync_wake: Arc<crate::sync_worker::Wake>,
}

/// What the first start did about the administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminBootstrap {
    /// Users exist already.
    Existing,
    /// `admin` was created with the password from the environment.
    Created,
    /// `admin` was created with this generated password, to be shown once.
    Generated(String),
}

impl AppState {
    /// Opens and migrates both stores and installs what a store needs before serving.
    pub async fn open(settings: AppSettings, clock: Arc<dyn Clock>, ids: Arc<dyn IdGen>) -> Result<Self, StoreError> {
        let hr = HrStore::new(settings.hr.open(StoreKind::Hr).await?, clock.clone(), ids.clone());
        let scheduling =
            SchedulingStore::new(settings.scheduling.open(StoreKind::Scheduling).await?, clock.clone(), ids.clone());
        let maps = match &settings.maps_file {
            None => Maps::default_maps(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| StoreError::Config(format!("cannot read maps file {}: {e}", path.display())))?;
                Maps::parse(&text).map_err(|e| StoreError::Config(e.to_string()))?
            }
        };
        let lease_owner = format!("{}-{}", std::process::id(), password::random_secret(6));
        let engine = Arc::new(Engine::new(hr.clone(), scheduling.clone(), Arc::new(maps), lease_owner));
        hr.install_shipped_roles().await?;
        hr.configure_personnel_numbers(&settings.personnel_number_prefix, settings.personnel_number_width).await?;
        let key = settings::get_or_insert(hr.db(), settings::TOKEN_SIGNING_KEY, &password::random_secret(32)).await?;
        let key = URL_SAFE_NO_PAD.decode(&key).unwrap_or_else(|_| key.into_bytes());
        let roles = RoleCache::default();
        roles.replace(hr.roles().await?);
        let finder = Arc::new(Finder::load(&scheduling).await?);
        let apps = Arc::new(AppRegistry::default());
        let sessions = Arc::new(match &settings.hr {
            StoreLocation::Sqlite(dir) => SessionCache::with_epoch_in(dir.clone()),
            StoreLocation::Postgres(_) => SessionCache::uncached(),
        });
        let ats_limiter =
            Arc::new(crate::rate_limit::RateLimiter::new(settings.ats_rate_per_second, settings.ats_rate_burst));
        Ok(Self {
            hr,
            scheduling,
            tokens: TokenSigner::new(&key),
            roles,
            finder,
            apps,
            sessions,
            ats_limiter,
            clock,
            ids,
            settings: Arc::new(settings),
            engine,
            sync_wake: Arc::new(crate::sync_worker::Wake::default()),
        })
    }

    /// First start with no users creates `admin` with `password`, or a generated one.
    pub async fn bootstrap_admin(&self, password: Option<&str>) -> Result<AdminBootstrap, StoreError> {
        if self.hr.user_count().await? > 0 {
            return Ok(AdminBootstrap::Existing);
        }
        let (password, outcome) = match password {
            Some(p) if !p.is_empty() => (p.to_string(), AdminBootstrap::Created),
            _ => {
                let generated = password::random_secret(18);
                (generated.clone(), AdminBootstrap::Generated(generated))
            }
        };
        let hash = tokio::task::spawn_blocking(move || password::hash_password(&password))
            .await
            .map_err(|e| StoreError::Config(e.to_string()))?;
        match self.hr.create_user(&Actor::system(), "admin", &hash, SYSTEM_ADMINISTRATOR).await {
            Ok(_) => Ok(outcome),
            // Another process created it first.
            Err(StoreError::Conflict { .. }) => Ok(AdminBootstrap::Existing),
            Err(e) => Err(e),
        }
    }

    /// Asks the sync worker for a pass at once.
    pub fn wake_sync(&self) {
        self.sync_wake.pass.notify_one();
    }

    /// Asks the sync worker to run the missed-request sync at once.
    pub fn catch_up(&self) {
        self.sync_wake.catch_up.store(true, std::sync::atomic::Ordering::SeqCst);
        self.sync_wake.pass.notify_one();
    }

    /// A role by name. One this process does not know (created by another process on the same
    /// database) is read from the store, so it works on every process at the next request.
    pub async fn role(&self, name: &str) -> Result<Option<Arc<Role>>, StoreError> {
        if let Some(role) = self.roles.get(name) {
            return Ok(Some(role));
        }
        self.reload_roles().await?;
        Ok(self.roles.get(name))
    }

    pub async fn reload_roles(&self) -> Result<(), StoreError> {
        self.roles.replace(self.hr.roles().await?);
        Ok(())
    }

    pub async fn close(&self) {
        self.hr.db().close().await;
        self.scheduling.db().close().await;
    }
}
