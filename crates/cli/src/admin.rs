//! `hrbridge admin create-user` (the password is read from standard input) and
//! `hrbridge admin register-app` (the client id and secret are printed once).

use crate::config::Config;
use clap::Subcommand;
use futures::future::BoxFuture;
use hrbridge_app::accounts::{self, UserPatch};
use hrbridge_app::apps::NewApp;
use hrbridge_app::AppError;
use hrbridge_app::{AppState, Caller};
use hrbridge_store::{password, Actor};
use std::io::BufRead;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Creates a user; reads the password from standard input (one line).
    CreateUser {
        #[arg(long)]
        username: String,
        /// system-administrator, hr-manager, resource-manager, read-only, or a custom role.
        #[arg(long)]
        role: String,
    },
    /// Registers an application (an applicant tracking system) acting as a user; prints its
    /// client id and secret, this once.
    RegisterApp {
        #[arg(long)]
        name: String,
        /// The user the app acts as: must hold write permission in personnel management.
        #[arg(long)]
        user: String,
        /// The app's role.
        #[arg(long, default_value = hrbridge_domain::auth::ATS_INTEGRATION)]
        role: String,
    },
    /// Disables a user: their sessions end at once, on every process, and they cannot sign in.
    DisableUser {
        #[arg(long)]
        username: String,
    },
    /// Enables a disabled user again.
    EnableUser {
        #[arg(long)]
        username: String,
    },
    /// Gives a user another role; their sessions end (they sign in again with it).
    SetRole {
        #[arg(long)]
        username: String,
        #[arg(long)]
        role: String,
    },
    /// Gives a user a one-time password (printed once); their sessions end, and at the next
    /// sign-in they must set a new one.
    ResetPassword {
        #[arg(long)]
        username: String,
    },
    /// Deletes a user: deactivated and anonymised for sign-in, sessions ended, audit history kept.
    DeleteUser {
        #[arg(long)]
        username: String,
    },
}

/// Runs one account use case as the CLI (an administrator); prints `done` or the error, with exit
/// status 2 for a refusal the user can fix (unknown user, the last administrator, a bad role).
async fn account_change(
    config: &Config,
    change: impl for<'a> FnOnce(&'a AppState, &'a Caller) -> BoxFuture<'a, Result<String, AppError>>,
) -> anyhow::Result<ExitCode> {
    let state = crate::open_app(config).await?;
    let caller = Caller::command_line(&state).await?;
    let outcome = change(&state, &caller).await;
    state.close().await;
    match outcome {
        Ok(done) => {
            println!("{done}");
            Ok(ExitCode::SUCCESS)
        }
        Err(AppError::Internal(e)) => Err(anyhow::anyhow!("{e}")),
        Err(refused) => {
            eprintln!("error: {refused}");
            Ok(ExitCode::from(2))
        }
    }
}

pub async fn run(config: Config, command: AdminCommand) -> anyhow::Result<ExitCode> {
    match command {
        AdminCommand::CreateUser { username, role } => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            let secret = line.trim_end_matches(['\n', '\r']).to_string();
            if let Err(errors) = hrbridge_app::accounts::check_new_user(&username, &secret) {
                eprintln!("error: {errors}");
                return Ok(ExitCode::from(2));
            }
            let state = crate::open_app(&config).await?;
            if state.roles.get(&role).is_none() {
                eprintln!("error: role: no role named '{role}'");
                return Ok(ExitCode::from(2));
            }
            let hash = tokio::task::spawn_blocking(move || password::hash_password(&secret)).await?;
            let actor = Actor { name: "cli".into(), ..Actor::system() };
            let user = state.hr.create_user(&actor, &username, &hash, &role).await?;
            println!("created user '{}' with role '{}'", user.username, user.role);
            state.close().await;
            Ok(ExitCode::SUCCESS)
        }
        AdminCommand::DisableUser { username } => {
            account_change(&config, |app, caller| {
                Box::pin(async move {
                    let patch = UserPatch { disabled: Some(true), ..UserPatch::default() };
                    let user = accounts::update_user_as(app, caller, &username, patch).await?;
                    Ok(format!("disabled user '{}': their sessions have ended", user.username))
                })
            })
            .await
        }
        AdminCommand::EnableUser { username } => {
            account_change(&config, |app, caller| {
                Box::pin(async move {
                    let patch = UserPatch { disabled: Some(false), ..UserPatch::default() };
                    let user = accounts::update_user_as(app, caller, &username, patch).await?;
                    Ok(format!("enabled user '{}'", user.username))
                })
            })
            .await
        }
        AdminCommand::SetRole { username, role } => {
            account_change(&config, |app, caller| {
                Box::pin(async move {
                    let patch = UserPatch { role: Some(role), ..UserPatch::default() };
                    let user = accounts::update_user_as(app, caller, &username, patch).await?;
                    Ok(format!("user '{}' now has role '{}'; their sessions have ended", user.username, user.role))
                })
            })
            .await
        }
        AdminCommand::ResetPassword { username } => {
            account_change(&config, |app, caller| {
                Box::pin(async move {
                    let password = accounts::reset_password_as(app, caller, &username).await?;
                    Ok(format!(
                        "one-time password for '{username}': {password}\ngive it to them now: it is not shown again; \
                         they must set a new one at their next sign-in"
                    ))
                })
            })
            .await
        }
        AdminCommand::DeleteUser { username } => {
            account_change(&config, |app, caller| {
                Box::pin(async move {
                    accounts::delete_user_as(app, caller, &username).await?;
                    Ok(format!("deleted user '{username}': they can no longer sign in"))
                })
            })
            .await
        }
        AdminCommand::RegisterApp { name, user, role } => {
            let state = crate::open_app(&config).await?;
            let actor = Actor { name: "cli".into(), ..Actor::system() };
            let body = NewApp { name, user, role: Some(role) };
            // Whoever runs the CLI holds the database: they grant as the administrator.
            let administrator = state.role(hrbridge_domain::auth::SYSTEM_ADMINISTRATOR).await?;
            let grantor = administrator.ok_or_else(|| anyhow::anyhow!("the shipped roles are missing"))?;
            let outcome = hrbridge_app::apps::register(&state, &actor, &grantor, body).await;
            state.close().await;
            match outcome {
                Ok(app) => {
                    println!("registered app '{}' acting as '{}' with role '{}'", app.name, app.user, app.role);
                    println!("client_id: {}", app.client_id);
                    println!("client_secret: {}", app.client_secret);
                    println!("keep the secret now: it is not shown again");
                    Ok(ExitCode::SUCCESS)
                }
                Err(AppError::Invalid(errors)) => {
                    eprintln!("error: {errors}");
                    Ok(ExitCode::from(2))
                }
                Err(AppError::Conflict { message, .. }) => {
                    eprintln!("error: name: {message}");
                    Ok(ExitCode::from(2))
                }
                Err(other) => Err(anyhow::anyhow!("cannot register the app: {other}")),
            }
        }
    }
}
