-- Each running process has an instance id of its own (its name may be shared by mistake): it
-- marks its heartbeat, its change notifications and the monitor leases it holds.
ALTER TABLE nodes ADD COLUMN instance TEXT NOT NULL DEFAULT '';
