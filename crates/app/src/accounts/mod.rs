//! Accounts: signing in, users and custom roles.

pub mod roles;
pub mod sign_in;
pub mod users;

pub use roles::{check_role_name, create_role_as};
pub use sign_in::{capped, client_address, sign_in, throttled, MAX_PASSWORD, MAX_USERNAME};
pub use users::{check_new_user, create_user_as, MIN_PASSWORD_LENGTH};
