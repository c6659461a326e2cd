//! Every HR and scheduling record carries a version that changes with every write: served as
//! its `ETag`, named by `If-Match` so a write applies only to the version its author saw.

use crate::hr::{
    Candidate, CertificateType, Job, Position, RatingModel, Skill, SkillType, Worker, WorkerCertificate, WorkerSkill,
};
use crate::scheduling::booking::Booking;
use crate::scheduling::{
    BookableResource, Characteristic, ResourceCharacteristic, ResourceRequirement, SchedulingRatingModel,
};

/// A record with a version.
pub trait Versioned {
    fn version(&self) -> i64;
}

macro_rules! versioned {
    ($($record:ty),* $(,)?) => {
        $(impl Versioned for $record {
            fn version(&self) -> i64 {
                self.version
            }
        })*
    };
}

versioned!(
    Candidate,
    CertificateType,
    Job,
    Position,
    RatingModel,
    Skill,
    SkillType,
    Worker,
    WorkerCertificate,
    WorkerSkill,
    BookableResource,
    Booking,
    Characteristic,
    ResourceCharacteristic,
    ResourceRequirement,
    SchedulingRatingModel,
);
