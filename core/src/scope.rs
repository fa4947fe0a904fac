//! Who may see and change what: roles and their scope (facilitator ↔ villages, supervisor ↔
//! districts, worker ↔ own record, admin ↔ all). The phone and the server ask the same questions.

use crate::region::district_of;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Facilitator,
    Supervisor,
    Worker,
    Admin,
}

/// The signed-in user, as the server described them at login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub user_id: String,
    pub display_name: String,
    pub role: Role,
    /// Facilitator: assigned village codes.
    #[serde(default)]
    pub villages: Vec<String>,
    /// Supervisor: district codes.
    #[serde(default)]
    pub districts: Vec<String>,
    /// Worker: their own beneficiary record.
    #[serde(default)]
    pub beneficiary_id: Option<String>,
}

impl Identity {
    /// May this user read records of a beneficiary in `village`?
    pub fn can_read(&self, village: &str, beneficiary_id: &str) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Facilitator => self.villages.iter().any(|v| v == village),
            Role::Supervisor => district_of(village).is_some_and(|d| self.districts.iter().any(|x| x == d)),
            Role::Worker => self.beneficiary_id.as_deref() == Some(beneficiary_id),
        }
    }

    /// May this user change records of a beneficiary in `village`? Workers only read.
    pub fn can_write(&self, village: &str, beneficiary_id: &str) -> bool {
        self.role != Role::Worker && self.can_read(village, beneficiary_id)
    }

    /// Supervisors verify visits and resolve conflicts.
    pub fn can_supervise(&self, village: &str) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Supervisor => district_of(village).is_some_and(|d| self.districts.iter().any(|x| x == d)),
            _ => false,
        }
    }

    /// A SQL condition on a beneficiary table alias `b` limiting rows to this user's scope, and
    /// its parameters.
    pub fn sql_filter(&self) -> (String, Vec<String>) {
        let marks = |n: usize| vec!["?"; n].join(",");
        match self.role {
            Role::Admin => ("1".into(), vec![]),
            Role::Facilitator => (format!("b.village_code IN ({})", marks(self.villages.len())), self.villages.clone()),
            Role::Supervisor => (format!("substr(b.village_code, 1, 5) IN ({})", marks(self.districts.len())), self.districts.clone()),
            Role::Worker => ("b.id = ?".into(), vec![self.beneficiary_id.clone().unwrap_or_default()]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_sees_its_own_scope() {
        let f = Identity {
            user_id: "f".into(),
            display_name: "F".into(),
            role: Role::Facilitator,
            villages: vec!["32.12.01.2007".into()],
            districts: vec![],
            beneficiary_id: None,
        };
        assert!(f.can_write("32.12.01.2007", "x"));
        assert!(!f.can_read("32.12.01.2008", "x"));
        let s = Identity { role: Role::Supervisor, villages: vec![], districts: vec!["32.12".into()], ..f.clone() };
        assert!(s.can_read("32.12.01.2008", "x") && !s.can_read("32.13.01.2001", "x"));
        let w = Identity { role: Role::Worker, villages: vec![], beneficiary_id: Some("me".into()), ..f.clone() };
        assert!(w.can_read("32.12.01.2007", "me") && !w.can_read("32.12.01.2007", "other"));
        assert!(!w.can_write("32.12.01.2007", "me"));
    }
}
