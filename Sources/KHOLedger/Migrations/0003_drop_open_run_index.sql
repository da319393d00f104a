-- kholedger ledger schema, migration 0003: drop preserved_run_open.
--
-- The partial index on the open runs' addresses was written once per run of
-- frames in address order, i.e. at random for scattered frames: about half
-- of the cost of recording a run. Nothing looks runs up by address; closing
-- a generation's open runs at its kexec finds them through
-- preserved_run_fork_from, where every open run forks at the root 2^40.

DROP INDEX preserved_run_open;
