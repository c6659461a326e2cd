//! The webhook delivery worker: a background task that, every [`TICK`] (or sooner when
//! [`WebhookWorker::notify`] is called), turns new HR outbox entries into deliveries and sends the
//! due ones.
//!
//! Each request is a POST of the stored envelope with `Content-Type: application/json`,
//! `X-Hrbridge-Signature: sha256=<hex HMAC-SHA256 of the exact body, keyed with the endpoint's
//! secret>`, `X-Hrbridge-Event` (the type) and `X-Hrbridge-Delivery` (the delivery id), with a
//! 10 s timeout. A 2xx answer is delivered; anything else is retried after 1 s, 2 s, 4 s … (capped
//! at 1 h) by the injected clock, and after
//! [`MAX_ATTEMPTS`](hrbridge_store::webhooks::MAX_ATTEMPTS) the delivery is `failed` until
//! resent. One endpoint's deliveries go out one at a time in control-number order; endpoints are
//! served concurrently.
//!
//! Endpoints may be `http://` or `https://` (rustls with the web PKI roots).

use crate::state::AppState;
use chrono::Duration as ChronoDuration;
use hmac::{Hmac, Mac};
use hrbridge_store::webhooks::{AttemptOutcome, DueDelivery};
use sha2::Sha256;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// How often the worker looks for new events and due deliveries.
pub const TICK: Duration = Duration::from_millis(250);
/// How long one delivery may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How many outbox entries one enqueue transaction takes.
const ENQUEUE_BATCH: i64 = 500;
/// How many deliveries one endpoint gets per tick at most, so one busy endpoint cannot starve
/// the loop.
const PER_ENDPOINT_PER_TICK: usize = 100;

/// `sha256=<hex>`: the HMAC-SHA256 of `body` keyed with `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let mut hex = String::with_capacity(7 + digest.len() * 2);
    hex.push_str("sha256=");
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

/// The wait before attempt `attempts + 1`, after `attempts` failed ones: 1 s, 2 s, 4 s … 1 h.
pub fn backoff(attempts: i64) -> ChronoDuration {
    let exponent = (attempts - 1).clamp(0, 12) as u32;
    ChronoDuration::seconds((1i64 << exponent).min(3600))
}

/// The running worker; stopped when dropped.
pub struct WebhookWorker {
    handle: tokio::task::JoinHandle<()>,
    wake: Arc<Notify>,
}

impl WebhookWorker {
    /// Starts the worker on the current runtime.
    pub fn spawn(state: AppState) -> Self {
        let wake = Arc::new(Notify::new());
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        let handle = tokio::spawn(run(state, client, wake.clone()));
        Self { handle, wake }
    }

    /// Looks for work now instead of at the next tick.
    pub fn notify(&self) {
        self.wake.notify_one();
    }

    pub fn stop(&self) {
        self.handle.abort();
    }
}

impl Drop for WebhookWorker {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

async fn run(state: AppState, client: reqwest::Client, wake: Arc<Notify>) {
    loop {
        if let Err(error) = tick(&state, &client).await {
            tracing::warn!(%error, "webhook delivery");
        }
        tokio::select! {
            _ = tokio::time::sleep(TICK) => {}
            _ = wake.notified() => {}
        }
    }
}

/// One round: enqueue everything new, then send what is due.
pub async fn tick(state: &AppState, client: &reqwest::Client) -> Result<(), hrbridge_store::StoreError> {
    while state.hr.enqueue_events(ENQUEUE_BATCH).await? as i64 == ENQUEUE_BATCH {}
    let mut rounds = 0;
    loop {
        let due = state.hr.due_deliveries().await?;
        if due.is_empty() || rounds == PER_ENDPOINT_PER_TICK {
            return Ok(());
        }
        rounds += 1;
        let results = futures::future::join_all(due.iter().map(|d| attempt(state, client, d))).await;
        for result in results {
            result?;
        }
    }
}

async fn attempt(
    state: &AppState,
    client: &reqwest::Client,
    delivery: &DueDelivery,
) -> Result<(), hrbridge_store::StoreError> {
    let outcome = match send(client, delivery).await {
        Ok(()) => AttemptOutcome::Delivered,
        Err(error) => {
            let attempts = delivery.attempts + 1;
            tracing::info!(
                delivery = delivery.rec_id,
                webhook = delivery.webhook_id,
                attempts,
                %error,
                "webhook delivery failed"
            );
            AttemptOutcome::Failed { error, retry_at: state.clock.now() + backoff(attempts) }
        }
    };
    state.hr.record_attempt(delivery.rec_id, &outcome).await
}

async fn send(client: &reqwest::Client, delivery: &DueDelivery) -> Result<(), String> {
    let body = delivery.payload.clone().into_bytes();
    let response = client
        .post(&delivery.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("X-Hrbridge-Signature", signature(&delivery.secret, &body))
        .header("X-Hrbridge-Event", &delivery.event_type)
        .header("X-Hrbridge-Delivery", delivery.rec_id.to_string())
        .body(body)
        .send()
        .await
        // Without the URL: it may carry credentials.
        .map_err(|e| e.without_url().to_string())?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("the endpoint answered {status}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hrbridge_store::webhooks::MAX_ATTEMPTS;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let seconds: Vec<i64> = (1..=14).map(|a| backoff(a).num_seconds()).collect();
        assert_eq!(seconds, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3600, 3600]);
        assert_eq!(MAX_ATTEMPTS, 10);
    }

    #[test]
    fn signature_is_hex_hmac_sha256() {
        // RFC 4231 test case 2.
        let sig = signature("Jefe", b"what do ya want for nothing?");
        assert_eq!(sig, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
