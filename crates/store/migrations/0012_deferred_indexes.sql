-- Indexes a bulk load has set aside, with the statement that builds each
-- again (see the store's deferred_index module). A row outlives the load only if the load
-- was interrupted; the migrations build such an index again at every start.
CREATE TABLE deferred_indexes (
    name TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    deferred_at {ts} NOT NULL
);
