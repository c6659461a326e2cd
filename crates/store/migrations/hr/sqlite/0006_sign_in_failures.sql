-- Failed sign-ins, counted per account ('account:<username>'), per app ('client:<client id>') and
-- per client address ('address:<ip>'), so that sign-in is throttled: past an allowance of
-- failures a key is blocked for a time that doubles with each further failure.
-- A key's count starts again once its last failure is old enough; a successful sign-in
-- clears its account's key.

CREATE TABLE sign_in_failures (
    throttle_key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at DATETIME NOT NULL,
    blocked_until DATETIME
);
