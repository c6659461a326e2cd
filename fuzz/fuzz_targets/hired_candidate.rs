//! Any bytes as an export body: deserializing and parsing a `HiredCandidateInput` must never
//! panic, and a parsed candidate must satisfy the rules the server relies on.
#![no_main]

use hrbridge_domain::hr::{HiredCandidateInput, MAX_CANDIDATE_ITEMS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let Ok(input) = serde_json::from_value::<HiredCandidateInput>(value) else { return };
    match input.parse() {
        Ok(candidate) => {
            let id = candidate.external_id.chars().count();
            assert!((1..=100).contains(&id), "external_id length {id}");
            assert!(candidate.job_title.as_str().chars().count() <= 200);
            assert!(candidate.location.as_str().chars().count() <= 200);
            assert!(candidate.skills.len() <= MAX_CANDIDATE_ITEMS);
            assert!(candidate.certificates.len() <= MAX_CANDIDATE_ITEMS);
        }
        Err(errors) => assert!(!errors.0.is_empty(), "a refusal names at least one field"),
    }
});
