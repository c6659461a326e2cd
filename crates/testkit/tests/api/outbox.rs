//! Every write appends exactly its outbox entries and one audit entry, in its transaction; a
//! refused write leaves no row, no outbox entry and no audit entry.

use crate::common::{seed_catalog, worker, Api, CONFLICT, INVALID, OK};
use hrbridge_domain::Clock;
use hrbridge_testkit::TestApp;
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![
        hrbridge_testkit::test_fn!(every_write_appends_its_outbox_entry),
        hrbridge_testkit::test_fn!(refused_writes_leave_nothing_behind),
    ]
}

/// Follows the outbox and the audit log from where it last looked.
struct Follower<'a> {
    app: &'a TestApp,
    seq: i64,
    audit: usize,
}

impl Follower<'_> {
    /// Asserts that the last write appended exactly `expected` outbox entries (in any order;
    /// `entity key operation vN origin`, rating levels without a version: they have none of
    /// their own), stamped with the clock's time, and one audit entry by admin with `action` on
    /// the last expected entity. Then moves the clock on a second.
    async fn saw(&mut self, expected: &[&str], action: &str) {
        let now = self.app.clock.now();
        let entries = self.app.state.hr.outbox_after(self.seq, 10_000).await.unwrap();
        self.seq = entries.last().map_or(self.seq, |e| e.seq);
        let mut got: Vec<String> = entries
            .iter()
            .map(|e| {
                assert_eq!(e.modified_at, now, "{e:?}");
                match e.entity.as_str() {
                    "rating-level" => {
                        format!("{} {} {} {}", e.entity, e.entity_key, e.operation, e.origin)
                    }
                    _ => format!("{} {} {} v{} {}", e.entity, e.entity_key, e.operation, e.version, e.origin),
                }
            })
            .collect();
        let mut want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "the outbox entries of the write");
        let audit = crate::common::audit(self.app).await;
        assert_eq!(audit.len(), self.audit + 1, "one audit entry for {expected:?}");
        self.audit = audit.len();
        let entity = expected.last().unwrap().split(' ').next().unwrap();
        let newest = &audit[0];
        assert_eq!((newest.action.as_str(), newest.entity.as_str(), newest.actor.as_str()), (action, entity, "admin"));
        assert_eq!(newest.at, now);
        self.app.clock.advance(chrono::Duration::seconds(1));
    }
}

async fn every_write_appends_its_outbox_entry(app: TestApp) {
    let api = Api::admin(&app).await;
    assert!(crate::common::outbox(&app).await.is_empty());
    let mut seen = Follower { app: &app, seq: 0, audit: crate::common::audit(&app).await.len() };
    let s = &mut seen;
    let levels = json!([{"name": "Novice", "factor": 1}, {"name": "Expert", "factor": 5}]);
    api.create("/hr/rating-models", json!({"code": "PROF", "name": "Proficiency", "levels": levels})).await;
    s.saw(
        &["rating-level PROF/1 insert user", "rating-level PROF/5 insert user", "rating-model PROF insert v1 user"],
        "create",
    )
    .await;
    let levels =
        json!([{"name": "Beginner", "factor": 1}, {"name": "Expert", "factor": 5}, {"name": "Master", "factor": 9}]);
    api.patch("/hr/rating-models/PROF", json!({"levels": levels})).await.is(OK);
    s.saw(
        &["rating-level PROF/1 update user", "rating-level PROF/9 insert user", "rating-model PROF update v2 user"],
        "update",
    )
    .await;
    api.create("/hr/skill-types", json!({"code": "TECH", "name": "Technical"})).await;
    s.saw(&["skill-type TECH insert v1 user"], "create").await;
    api.create("/hr/skills", json!({"code": "RUST", "name": "Rust", "skill_type": "TECH", "rating_model": "PROF"}))
        .await;
    s.saw(&["skill RUST insert v1 user"], "create").await;
    api.patch("/hr/skills/RUST", json!({"description": "The language"})).await.is(OK);
    s.saw(&["skill RUST update v2 user"], "update").await;
    api.create("/hr/certificate-types", json!({"code": "FIRSTAID", "name": "First aid"})).await;
    s.saw(&["certificate-type FIRSTAID insert v1 user"], "create").await;
    let ada = worker(&api, None, "Ada", "Lovelace").await;
    s.saw(&["worker 000001 insert v1 user"], "create").await;
    let last = crate::common::outbox(&app).await.pop().unwrap();
    assert_eq!(last.rec_id, ada["rec_id"].as_str().unwrap().parse::<i64>().unwrap(), "the outbox names the record");
    api.patch("/hr/workers/000001", json!({"email": "ada@example.com"})).await.is(OK);
    s.saw(&["worker 000001 update v2 user"], "update").await;

    let skill = "/hr/workers/000001/skills/RUST";
    api.put(skill, json!({"level": "Beginner"})).await.is(OK);
    s.saw(&["worker-skill 000001/RUST insert v1 user"], "create").await;
    api.put(skill, json!({"level": "Expert"})).await.is(OK);
    s.saw(&["worker-skill 000001/RUST update v2 user"], "update").await;
    api.put("/hr/workers/000001/certificates/FIRSTAID", json!({"issued_on": "2025-01-01"})).await.is(OK);
    s.saw(&["worker-certificate 000001/FIRSTAID insert v1 user"], "create").await;
    let job =
        json!({"job_id": "DEV", "title": "Developer", "required_skills": [{"skill": "RUST", "min_level": "Expert"}]});
    api.create("/hr/jobs", job).await;
    s.saw(&["job DEV insert v1 user"], "create").await;
    api.patch("/hr/jobs/DEV", json!({"title": "Engineer"})).await.is(OK);
    s.saw(&["job DEV update v2 user"], "update").await;
    api.create("/hr/positions", json!({"position_number": "P-1", "job_id": "DEV"})).await;
    s.saw(&["position P-1 insert v1 user"], "create").await;
    api.patch("/hr/positions/P-1", json!({"worker": "000001"})).await.is(OK);
    s.saw(&["position P-1 update v2 user"], "update").await;

    // Deletes carry the next version; deleting a worker deletes their skills and certificates.
    api.remove("/hr/positions/P-1").await;
    s.saw(&["position P-1 delete v3 user"], "delete").await;
    api.remove("/hr/jobs/DEV").await;
    s.saw(&["job DEV delete v3 user"], "delete").await;
    api.remove(skill).await;
    s.saw(&["worker-skill 000001/RUST delete v3 user"], "delete").await;
    api.put(skill, json!({"level": "Master"})).await.is(OK);
    s.saw(&["worker-skill 000001/RUST insert v1 user"], "create").await;
    api.remove("/hr/workers/000001").await;
    let cascade = ["worker-skill 000001/RUST delete v2 user", "worker-certificate 000001/FIRSTAID delete v2 user"];
    s.saw(&[cascade[0], cascade[1], "worker 000001 delete v3 user"], "delete").await;
    api.remove("/hr/skills/RUST").await;
    s.saw(&["skill RUST delete v3 user"], "delete").await;
    api.remove("/hr/skill-types/TECH").await;
    s.saw(&["skill-type TECH delete v2 user"], "delete").await;
    api.remove("/hr/certificate-types/FIRSTAID").await;
    s.saw(&["certificate-type FIRSTAID delete v2 user"], "delete").await;
    api.remove("/hr/rating-models/PROF").await;
    let levels =
        ["rating-level PROF/1 delete user", "rating-level PROF/5 delete user", "rating-level PROF/9 delete user"];
    s.saw(&[levels[0], levels[1], levels[2], "rating-model PROF delete v3 user"], "delete").await;
    let seqs: Vec<i64> = crate::common::outbox(&app).await.iter().map(|e| e.seq).collect();
    assert!(seqs.windows(2).all(|p| p[0] < p[1]), "seq increases: {seqs:?}");
    assert_eq!(seqs.len(), 33);
    app.stop().await
}

/// Everything a refused write could have touched.
async fn snapshot(api: &Api<'_>) -> (Vec<hrbridge_store::outbox::OutboxEntry>, usize, Vec<Value>) {
    let mut lists = Vec::new();
    for path in ["workers", "rating-models", "skills", "positions", "jobs", "certificate-types"] {
        lists.push(api.read(&format!("/hr/{path}")).await);
    }
    (crate::common::outbox(api.app).await, crate::common::audit(api.app).await.len(), lists)
}

async fn refused_writes_leave_nothing_behind(app: TestApp) {
    let api = Api::admin(&app).await;
    seed_catalog(&api).await;
    worker(&api, Some("W1"), "Ada", "Lovelace").await;
    worker(&api, Some("W2"), "Grace", "Hopper").await;
    api.put("/hr/workers/W1/skills/RUST", json!({"level": "Expert"})).await.is(OK);
    api.create("/hr/jobs", json!({"job_id": "DEV", "title": "Developer"})).await;
    api.create("/hr/positions", json!({"position_number": "P-1", "job_id": "DEV", "worker": "W1"})).await;
    let before = snapshot(&api).await;

    let refused: [(Method, &str, Value, StatusCode, &[&str]); 16] = [
        (
            Method::POST,
            "/hr/workers",
            json!({"first_name": "X", "last_name": "Y", "email": "bad"}),
            INVALID,
            &["email"],
        ),
        (
            Method::POST,
            "/hr/workers",
            json!({"personnel_number": "W1", "first_name": "X", "last_name": "Y"}),
            CONFLICT,
            &["personnel_number"],
        ),
        (
            Method::PATCH,
            "/hr/workers/W1",
            json!({"employment_start": "2024-05-01", "employment_end": "2024-01-01"}),
            INVALID,
            &["employment_end"],
        ),
        (Method::PUT, "/hr/workers/W1/skills/SQL", json!({"level": "Guru"}), INVALID, &["level"]),
        (
            Method::PUT,
            "/hr/workers/W1/certificates/FORKLIFT",
            json!({"issued_on": "2026-01-02", "expires_on": "2026-01-01"}),
            INVALID,
            &["expires_on"],
        ),
        (
            Method::POST,
            "/hr/skills",
            json!({"code": "RUST", "name": "Rust", "rating_model": "PROF"}),
            CONFLICT,
            &["code"],
        ),
        (
            Method::POST,
            "/hr/skills",
            json!({"code": "GO", "name": "Go", "rating_model": "NOPE"}),
            INVALID,
            &["rating_model"],
        ),
        (
            Method::POST,
            "/hr/rating-models",
            json!({"code": "PROF", "name": "Again", "levels": [{"name": "A", "factor": 1}]}),
            CONFLICT,
            &["code"],
        ),
        // Removes two unused levels before reaching the used one: all of it must roll back.
        (
            Method::PATCH,
            "/hr/rating-models/PROF",
            json!({"levels": [{"name": "Master", "factor": 9}]}),
            CONFLICT,
            &["levels"],
        ),
        (Method::POST, "/hr/certificate-types", json!({"code": "FIRSTAID", "name": "Again"}), CONFLICT, &["code"]),
        (Method::DELETE, "/hr/skills/RUST", Value::Null, CONFLICT, &[]),
        (Method::DELETE, "/hr/workers/W1", Value::Null, CONFLICT, &[]),
        (Method::DELETE, "/hr/jobs/DEV", Value::Null, CONFLICT, &[]),
        (
            Method::POST,
            "/hr/positions",
            json!({"position_number": "P-2", "job_id": "DEV", "worker": "W1"}),
            CONFLICT,
            &["worker"],
        ),
        (
            Method::PATCH,
            "/hr/jobs/DEV",
            json!({"required_skills": [{"skill": "NOPE", "min_level": "Expert"}]}),
            INVALID,
            &["required_skills[0].skill"],
        ),
        (
            Method::POST,
            "/admin/users",
            json!({"username": "x", "password": "short", "role": "read-only"}),
            INVALID,
            &["password"],
        ),
    ];
    for (method, path, body, status, fields) in refused {
        let body = (!body.is_null()).then_some(body);
        api.send(method, path, body).await.problem(status, fields);
    }
    let request = app.request(Method::POST, "/api/v1/hr/imports/workers", Some(&api.token));
    let request = request.header(header::CONTENT_TYPE, "text/csv").body("first_name,surname\nAda,Lovelace\n");
    assert_eq!(request.send().await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);

    let after = snapshot(&api).await;
    assert_eq!(after.0, before.0, "no outbox entry");
    assert_eq!(after.1, before.1, "no audit entry");
    assert_eq!(after.2, before.2, "no row changed");
    assert_eq!(before.2[1]["items"][0]["levels"].as_array().unwrap().len(), 3, "PROF keeps its three levels");
    // And the next write goes through as usual.
    api.create("/hr/skills", json!({"code": "GO", "name": "Go", "rating_model": "PROF"})).await;
    assert_eq!(crate::common::outbox(&app).await.len(), before.0.len() + 1);
    app.stop().await
}
