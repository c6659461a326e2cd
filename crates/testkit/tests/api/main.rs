//! The integration suite: every test runs against a real server on SQLite and, when
//! `HRBRIDGE_TEST_POSTGRES_URL` is set, on PostgreSQL. One binary keeps link time and disk use
//! down; filter by module, e.g. `cargo test -p hrbridge-testkit --test api -- apps::`.

mod common;

mod accounts;
mod apps;
mod ats;
mod auth_and_roles;
mod boundary;
mod concurrency;
mod console;
mod grants;
mod hr_catalog;
mod hr_workers;
mod import;
mod integration;
mod outbox;
mod role_table;
mod scheduling_api;
mod scheduling_bookings;
mod scheduling_finder;
mod scheduling_store;
mod sign_in;
mod sync_pairs;
mod sync_property;
mod sync_relay_runs;
mod sync_throughput;
mod sync_truth;
mod totp;
mod webhooks;

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let tests = [
        accounts::tests(),
        apps::tests(),
        ats::tests(),
        boundary::tests(),
        concurrency::tests(),
        auth_and_roles::tests(),
        console::tests(),
        grants::tests(),
        sign_in::tests(),
        hr_catalog::tests(),
        hr_workers::tests(),
        import::tests(),
        integration::tests(),
        outbox::tests(),
        role_table::tests(),
        scheduling_api::tests(),
        scheduling_bookings::tests(),
        scheduling_finder::tests(),
        scheduling_store::tests(),
        sync_pairs::tests(),
        sync_truth::tests(),
        sync_property::tests(),
        sync_relay_runs::tests(),
        sync_throughput::tests(),
        totp::tests(),
        webhooks::tests(),
    ]
    .concat();
    libtest_mimic::run(&args, hrbridge_testkit::trials(&tests)).exit();
}
