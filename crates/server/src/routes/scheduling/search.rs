//! The resource finder: `POST /scheduling/resource-search`, the same for a stored requirement,
//! and booking a match in one call.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::{from_value, JsonBody};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege};
use hrbridge_domain::scheduling::booking::{BookMatchInput, Booking};
use hrbridge_domain::scheduling::search::SearchRequest;
use hrbridge_finder::{Query, Requirement, ResourceIndex};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search)).routes(routes!(search_requirement)).routes(routes!(book_match))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchedCharacteristic {
    pub name: String,
    pub rating: i64,
    pub min_rating: i64,
}

/// A resource that meets the search, with the reason for its place.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchMatch {
    pub rank: usize,
    pub resource_id: Uuid,
    pub name: String,
    pub resource_type: String,
    /// How far the ratings exceed the minimums, summed.
    pub score: i64,
    pub matched: Vec<MatchedCharacteristic>,
    /// Free working minutes in the window.
    pub free_minutes: i64,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResults {
    pub matches: Vec<SearchMatch>,
    /// How many resources the finder searched.
    pub searched: usize,
}

/// Checks the request, including that every characteristic exists, and makes the finder's query.
async fn query_of(app: &AppState, request: &SearchRequest) -> ApiResult<Query> {
    let mut errors = request.check().err().unwrap_or_default();
    for (i, c) in request.characteristics.iter().enumerate() {
        if app.scheduling.characteristic(&c.name).await.is_err() {
            errors.add(format!("characteristics[{i}].name"), format!("no characteristic named '{}'", c.name));
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    Ok(Query {
        characteristics: request
            .characteristics
            .iter()
            .map(|c| Requirement { name: c.name.clone(), min_rating: c.min_rating })
            .collect(),
        from: request.from,
        to: request.to,
        duration_minutes: request.duration_minutes,
        resource_types: request
            .resource_types
            .as_ref()
            .filter(|t| !t.is_empty())
            .map(|t| t.iter().map(|t| t.as_str().to_string()).collect()),
        limit: request.limit(),
    })
}

async fn run(app: &AppState, query: Query) -> ApiResult<SearchResults> {
    app.finder.refresh(&app.scheduling).await?;
    let matches = app.finder.search(&query);
    Ok(SearchResults {
        searched: app.finder.len(),
        matches: matches
            .into_iter()
            .map(|m| SearchMatch {
                rank: m.rank,
                resource_id: m.id,
                name: m.name,
                resource_type: m.resource_type,
                score: m.score,
                matched: m
                    .matched
                    .into_iter()
                    .map(|c| MatchedCharacteristic { name: c.name, rating: c.rating, min_rating: c.min_rating })
                    .collect(),
                free_minutes: m.free_minutes,
                reason: m.reason,
            })
            .collect(),
    })
}

/// Finds resources that hold every required characteristic at or above its minimum (an expired
/// certification does not count) and have enough free working time in the window, ranked by how
/// far their ratings exceed the minimums, then by free time.
#[utoipa::path(post, path = "/api/v1/scheduling/resource-search", tag = "scheduling", request_body = SearchRequest, responses((status = 200, body = SearchResults)))]
async fn search(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> ApiResult<Json<SearchResults>> {
    caller.require(Entity::BookableResource, Privilege::Read)?;
    let request: SearchRequest = from_value(body)?;
    let query = query_of(&app, &request).await?;
    Ok(Json(run(&app, query).await?))
}

/// Searches with a stored requirement's characteristics, window, duration and resource types.
#[utoipa::path(post, path = "/api/v1/scheduling/resource-requirements/{id}/search", tag = "scheduling", responses((status = 200, body = SearchResults)))]
async fn search_requirement(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<SearchResults>> {
    caller.require(Entity::ResourceRequirement, Privilege::Read)?;
    caller.require(Entity::BookableResource, Privilege::Read)?;
    let requirement = app.scheduling.resource_requirement(&id).await?;
    let request = SearchRequest {
        characteristics: requirement
            .characteristics
            .iter()
            .map(|c| hrbridge_domain::scheduling::requirement::RequiredCharacteristicInput {
                name: c.name.clone(),
                min_rating: c.min_rating,
            })
            .collect(),
        from: requirement.from,
        to: requirement.to,
        duration_minutes: requirement.duration_minutes,
        resource_types: (!requirement.resource_types.is_empty()).then(|| requirement.resource_types.clone()),
        limit: None,
    };
    let query = query_of(&app, &request).await?;
    Ok(Json(run(&app, query).await?))
}

/// The first span of `minutes` in `free` (sorted free intervals), if any is long enough.
fn first_span(free: &[hrbridge_finder::Interval], minutes: i64) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let length = chrono::Duration::minutes(minutes);
    free.iter().find(|i| i.end - i.start >= length).map(|i| (i.start, i.start + length))
}

/// Books a match in one call: the first free span of `duration_minutes` of the resource's working
/// time in the window. Refused with 409 when that free time is gone, even under concurrent
/// requests.
#[utoipa::path(post, path = "/api/v1/scheduling/resource-search/book", tag = "scheduling", request_body = BookMatchInput, responses((status = 201, body = Booking), (status = 409)))]
async fn book_match(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<Booking>)> {
    caller.require(Entity::Booking, Privilege::Create)?;
    let input: BookMatchInput = from_value(body)?;
    input.check().map_err(ApiError::from)?;
    let (from, to, minutes) = (input.from, input.to, input.duration_minutes);
    let booking = app
        .scheduling
        .book_first_free(&caller.actor(), &input, |snapshot| {
            let mut index = ResourceIndex::new();
            let id = snapshot.id;
            index.upsert(hrbridge_app::finder::doc_from(snapshot.clone()));
            first_span(&index.free_intervals(id, from, to), minutes)
        })
        .await?;
    app.finder.refresh(&app.scheduling).await?;
    Ok((StatusCode::CREATED, Json(booking)))
}
