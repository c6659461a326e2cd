//! Roles with privileges per entity (read, create, write, delete), and the roles hrbridge ships.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a privilege is granted on. Names are the kebab-case strings used in the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Entity {
    Worker,
    WorkerSkill,
    WorkerCertificate,
    SkillType,
    Skill,
    RatingModel,
    CertificateType,
    Job,
    Position,
    User,
    Role,
    Audit,
    SchedulingRatingModel,
    Characteristic,
    BookableResource,
    ResourceRequirement,
    Booking,
    SchedulingMetadata,
    Candidate,
    App,
    Webhook,
    /// The integration's switches, tracking, jobs, conflicts and errors.
    Integration,
}

impl Entity {
    pub const ALL: [Entity; 22] = [
        Entity::Worker,
        Entity::WorkerSkill,
        Entity::WorkerCertificate,
        Entity::SkillType,
        Entity::Skill,
        Entity::RatingModel,
        Entity::CertificateType,
        Entity::Job,
        Entity::Position,
        Entity::User,
        Entity::Role,
        Entity::Audit,
        Entity::SchedulingRatingModel,
        Entity::Characteristic,
        Entity::BookableResource,
        Entity::ResourceRequirement,
        Entity::Booking,
        Entity::SchedulingMetadata,
        Entity::Candidate,
        Entity::App,
        Entity::Webhook,
        Entity::Integration,
    ];
    /// The entities of the scheduling store.
    pub const SCHEDULING: [Entity; 6] = [
        Entity::SchedulingRatingModel,
        Entity::Characteristic,
        Entity::BookableResource,
        Entity::ResourceRequirement,
        Entity::Booking,
        Entity::SchedulingMetadata,
    ];
    /// The entities of the HR store's domain (not administration).
    pub const HR: [Entity; 10] = [
        Entity::Worker,
        Entity::WorkerSkill,
        Entity::WorkerCertificate,
        Entity::SkillType,
        Entity::Skill,
        Entity::RatingModel,
        Entity::CertificateType,
        Entity::Job,
        Entity::Position,
        Entity::Candidate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Worker => "worker",
            Entity::WorkerSkill => "worker-skill",
            Entity::WorkerCertificate => "worker-certificate",
            Entity::SkillType => "skill-type",
            Entity::Skill => "skill",
            Entity::RatingModel => "rating-model",
            Entity::CertificateType => "certificate-type",
            Entity::Job => "job",
            Entity::Position => "position",
            Entity::User => "user",
            Entity::Role => "role",
            Entity::Audit => "audit",
            Entity::SchedulingRatingModel => "scheduling-rating-model",
            Entity::Characteristic => "characteristic",
            Entity::BookableResource => "bookable-resource",
            Entity::ResourceRequirement => "resource-requirement",
            Entity::Booking => "booking",
            Entity::SchedulingMetadata => "scheduling-metadata",
            Entity::Candidate => "candidate",
            Entity::App => "app",
            Entity::Webhook => "webhook",
            Entity::Integration => "integration",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Privilege {
    Read,
    Create,
    Write,
    Delete,
}

impl Privilege {
    pub const ALL: [Privilege; 4] = [Privilege::Read, Privilege::Create, Privilege::Write, Privilege::Delete];
    fn letter(self) -> char {
        match self {
            Privilege::Read => 'r',
            Privilege::Create => 'c',
            Privilege::Write => 'w',
            Privilege::Delete => 'd',
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Privilege::Read => "read",
            Privilege::Create => "create",
            Privilege::Write => "write",
            Privilege::Delete => "delete",
        }
    }
}

/// A set of privileges on one entity, stored as letters (`rcwd`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PrivilegeSet(u8);

impl PrivilegeSet {
    pub const NONE: PrivilegeSet = PrivilegeSet(0);
    pub const READ: PrivilegeSet = PrivilegeSet(1);
    pub const ALL: PrivilegeSet = PrivilegeSet(0b1111);

    fn bit(p: Privilege) -> u8 {
        match p {
            Privilege::Read => 1,
            Privilege::Create => 2,
            Privilege::Write => 4,
            Privilege::Delete => 8,
        }
    }
    pub fn of(privileges: &[Privilege]) -> Self {
        Self(privileges.iter().fold(0, |acc, p| acc | Self::bit(*p)))
    }
    pub fn allows(self, p: Privilege) -> bool {
        self.0 & Self::bit(p) != 0
    }
    pub fn to_letters(self) -> String {
        Privilege::ALL.iter().filter(|p| self.allows(**p)).map(|p| p.letter()).collect()
    }
    pub fn from_letters(s: &str) -> Option<Self> {
        let mut set = 0;
        for c in s.chars() {
            let p = Privilege::ALL.into_iter().find(|p| p.letter() == c)?;
            set |= Self::bit(p);
        }
        Some(Self(set))
    }
    pub fn list(self) -> Vec<Privilege> {
        Privilege::ALL.into_iter().filter(|p| self.allows(*p)).collect()
    }
    /// The privileges of `self` that `other` does not hold.
    pub fn minus(self, other: PrivilegeSet) -> PrivilegeSet {
        PrivilegeSet(self.0 & !other.0)
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// A role: a name and its privileges per entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub name: String,
    pub description: String,
    pub builtin: bool,
    pub privileges: BTreeMap<Entity, PrivilegeSet>,
}

impl Role {
    pub fn allows(&self, entity: Entity, privilege: Privilege) -> bool {
        self.privileges.get(&entity).is_some_and(|set| set.allows(privilege))
    }

    /// What `granted` holds beyond this role, entity by entity: empty when this role covers it.
    /// Nobody may grant (to a user, a role or an app) a privilege they do not hold themselves.
    pub fn excess_of(&self, granted: &BTreeMap<Entity, PrivilegeSet>) -> Excess {
        let beyond = granted
            .iter()
            .map(|(entity, set)| (*entity, set.minus(self.privileges.get(entity).copied().unwrap_or_default())))
            .filter(|(_, set)| !set.is_empty())
            .collect();
        Excess(beyond)
    }

    /// True when this role holds every privilege of `other`.
    pub fn covers(&self, other: &Role) -> bool {
        self.excess_of(&other.privileges).is_empty()
    }
}

/// Privileges granted beyond what the grantor holds, by entity.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Excess(pub BTreeMap<Entity, PrivilegeSet>);

impl Excess {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Display for Excess {
    /// `worker: create, delete; user: create`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (entity, set)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            let names: Vec<&str> = set.list().into_iter().map(Privilege::as_str).collect();
            write!(f, "{}: {}", entity.as_str(), names.join(", "))?;
        }
        Ok(())
    }
}

pub const SYSTEM_ADMINISTRATOR: &str = "system-administrator";
pub const HR_MANAGER: &str = "hr-manager";
pub const RESOURCE_MANAGER: &str = "resource-manager";
pub const READ_ONLY: &str = "read-only";
pub const ATS_INTEGRATION: &str = "ats-integration";

/// The roles hrbridge ships. A database created by an older version gets new entities added to
/// them at start, so shipped roles always cover every entity.
pub fn shipped_roles() -> Vec<Role> {
    let grant = |entities: &[Entity], set: PrivilegeSet| -> BTreeMap<Entity, PrivilegeSet> {
        entities.iter().map(|e| (*e, set)).collect()
    };
    let both = |hr: PrivilegeSet, scheduling: PrivilegeSet| -> BTreeMap<Entity, PrivilegeSet> {
        let mut map = grant(&Entity::HR, hr);
        map.extend(grant(&Entity::SCHEDULING, scheduling));
        map
    };
    // Resource managers read everything, keep the scheduling side (resources, characteristics,
    // requirements) and book.
    let resource_manager = both(PrivilegeSet::READ, PrivilegeSet::ALL);
    vec![
        Role {
            name: SYSTEM_ADMINISTRATOR.into(),
            description: "Everything, including users, roles and the audit log".into(),
            builtin: true,
            privileges: grant(&Entity::ALL, PrivilegeSet::ALL),
        },
        Role {
            name: HR_MANAGER.into(),
            description: "Keeps workers, skills, certificates, rating models, jobs and positions".into(),
            builtin: true,
            privileges: both(PrivilegeSet::ALL, PrivilegeSet::READ),
        },
        Role {
            name: RESOURCE_MANAGER.into(),
            description: "Reads everything; keeps resources, characteristics and requirements; books".into(),
            builtin: true,
            privileges: resource_manager,
        },
        Role {
            name: READ_ONLY.into(),
            description: "Reads HR and scheduling data".into(),
            builtin: true,
            privileges: both(PrivilegeSet::READ, PrivilegeSet::READ),
        },
        // Seed 002: organization-level read on the scheduling metadata (entity, field,
        // relationship), and create and read on candidates to hire.
        Role {
            name: ATS_INTEGRATION.into(),
            description: "An applicant tracking system: exports hired candidates".into(),
            builtin: true,
            privileges: [
                (Entity::SchedulingMetadata, PrivilegeSet::READ),
                (Entity::Candidate, PrivilegeSet::of(&[Privilege::Read, Privilege::Create])),
            ]
            .into_iter()
            .collect(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privilege_letters_round_trip() {
        let set = PrivilegeSet::of(&[Privilege::Read, Privilege::Delete]);
        assert_eq!(set.to_letters(), "rd");
        assert_eq!(PrivilegeSet::from_letters("rd"), Some(set));
        assert_eq!(PrivilegeSet::from_letters("rx"), None);
    }

    fn role(privileges: &[(Entity, &[Privilege])]) -> Role {
        Role {
            name: "r".into(),
            description: String::new(),
            builtin: false,
            privileges: privileges.iter().map(|(e, p)| (*e, PrivilegeSet::of(p))).collect(),
        }
    }

    #[test]
    fn a_grant_is_bounded_by_what_the_grantor_holds() {
        use Privilege::*;
        let grantor = role(&[(Entity::User, &[Read, Create]), (Entity::Worker, &[Read])]);
        assert!(grantor.covers(&role(&[(Entity::Worker, &[Read])])));
        assert!(grantor.covers(&role(&[])));
        let wanted =
            role(&[(Entity::Worker, &[Read, Write, Delete]), (Entity::User, &[Create]), (Entity::Role, &[Read])]);
        let excess = grantor.excess_of(&wanted.privileges);
        assert_eq!(excess.to_string(), "worker: write, delete; role: read");
        assert!(!grantor.covers(&wanted));
        let roles = shipped_roles();
        let by_name = |name: &str| roles.iter().find(|r| r.name == name).unwrap().clone();
        for shipped in &roles {
            assert!(by_name(SYSTEM_ADMINISTRATOR).covers(shipped), "the administrator holds {}", shipped.name);
        }
        assert!(!by_name(HR_MANAGER).covers(&by_name(SYSTEM_ADMINISTRATOR)));
        assert!(!by_name(HR_MANAGER).covers(&by_name(RESOURCE_MANAGER)), "HR reads the scheduling side only");
        assert!(by_name(HR_MANAGER).covers(&by_name(READ_ONLY)));
    }

    #[test]
    fn shipped_roles_grant_as_documented() {
        let roles = shipped_roles();
        let role = |name: &str| roles.iter().find(|r| r.name == name).unwrap();
        assert!(role(SYSTEM_ADMINISTRATOR).allows(Entity::User, Privilege::Create));
        assert!(role(HR_MANAGER).allows(Entity::Worker, Privilege::Delete));
        assert!(!role(HR_MANAGER).allows(Entity::User, Privilege::Read));
        assert!(role(READ_ONLY).allows(Entity::Skill, Privilege::Read));
        assert!(!role(READ_ONLY).allows(Entity::Skill, Privilege::Write));
        assert!(!role(RESOURCE_MANAGER).allows(Entity::Worker, Privilege::Create));
        assert!(role(RESOURCE_MANAGER).allows(Entity::Booking, Privilege::Create));
        assert!(role(RESOURCE_MANAGER).allows(Entity::BookableResource, Privilege::Write));
        assert!(!role(RESOURCE_MANAGER).allows(Entity::Worker, Privilege::Write));
        assert!(role(READ_ONLY).allows(Entity::Booking, Privilege::Read));
        assert!(role(ATS_INTEGRATION).allows(Entity::Candidate, Privilege::Create));
        assert!(role(ATS_INTEGRATION).allows(Entity::SchedulingMetadata, Privilege::Read));
        assert!(!role(ATS_INTEGRATION).allows(Entity::Candidate, Privilege::Write));
        assert!(!role(ATS_INTEGRATION).allows(Entity::Worker, Privilege::Read));
        assert!(!role(READ_ONLY).allows(Entity::Booking, Privilege::Create));
    }
}
