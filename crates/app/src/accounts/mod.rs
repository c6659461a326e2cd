//! Accounts: signing in, users and custom roles.

pub mod roles;
pub mod sessions;
pub mod sign_in;
pub mod totp;
pub mod users;

pub use roles::{check_role_name, create_role_as};
pub use sessions::ClientInfo;
pub use sign_in::{capped, client_address, sign_in, throttled, MAX_PASSWORD, MAX_USERNAME};
pub use users::{
    change_own_password, check_new_user, check_password, create_user_as, delete_user_as, reset_password_as,
    update_user_as, user_as, UserPatch, MIN_PASSWORD_LENGTH,
};
