-- How many jobs each node runs at once per queue ({"danvan": 4}), so operators see a
-- node's capacity beside its heartbeat (the console's nodes page). Written when the
-- node registers; nodes of an older version leave it empty.
ALTER TABLE kheo.nodes ADD COLUMN slots jsonb NOT NULL DEFAULT '{}';
