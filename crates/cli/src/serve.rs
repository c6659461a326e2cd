//! `hrbridge serve`.

use crate::config::Config;
use hrbridge_app::AdminBootstrap;
use std::process::ExitCode;

pub async fn run(config: Config) -> anyhow::Result<ExitCode> {
    tracing::info!(stores = %config.describe_stores(), "opening the stores");
    let state = crate::open_app(&config).await?;
    match state.bootstrap_admin(config.admin_password.as_ref().map(|s| s.expose())).await? {
        AdminBootstrap::Existing => {}
        AdminBootstrap::Created => {
            tracing::info!("created user 'admin' with the password from HRBRIDGE_ADMIN_PASSWORD")
        }
        AdminBootstrap::Generated(password) => {
            // Shown this once, on the terminal, never in the log.
            println!("Created user 'admin' with password: {password}");
            println!("Sign in and keep it safe: it is not shown again.");
        }
    }
    let listener = tokio::net::TcpListener::bind(&config.listen).await?;
    let address = listener.local_addr()?;
    tracing::info!(%address, "hrbridge is listening");
    println!("hrbridge is listening on http://{address}");
    // Business events: deliveries to webhooks, from the HR outbox.
    let webhooks = hrbridge_app::webhook_worker::WebhookWorker::spawn(state.clone());
    // The sync engine's relay and missed-request sync: idle while the integration is off.
    let sync = hrbridge_app::sync_worker::SyncWorker::spawn(state.clone());
    let app = hrbridge_server::app_with(state.clone(), hrbridge_console::router());
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    webhooks.stop();
    drop(sync);
    if let Err(e) = state.engine.release_lease().await {
        tracing::warn!(error = %e, "could not release the relay lease");
    }
    state.close().await;
    Ok(ExitCode::SUCCESS)
}
