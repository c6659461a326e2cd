-- The conflict journal per field: for each mapped field the two sides disagreed on, which side
-- won, both values and the rule that decided it (JSON array). Entries from before have none.
ALTER TABLE sync_conflicts ADD COLUMN fields TEXT NOT NULL DEFAULT '[]';
