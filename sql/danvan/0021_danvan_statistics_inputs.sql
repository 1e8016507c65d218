-- What a snapshot was built from: for each table the roll-up reads, its row count and
-- the newest transaction that wrote one of its rows (every insert or update writes a
-- newer one; a delete changes the count), with the tree's version and the roll-up's
-- own revision. A night whose inputs read the same builds nothing new.
ALTER TABLE danvan.statistics_snapshots ADD COLUMN inputs text;
