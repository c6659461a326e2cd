//! (to be written)

use axum::Router;
use hrbridge_server::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
