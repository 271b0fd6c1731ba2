-- New outbox events wake the relay at commit (NOTIFY is delivered when the transaction commits),
-- so a notification does not wait for the next polling pass. Polling stays as the safety net.
-- A rule rather than a trigger: the migration runner splits statements at every semicolon, even
-- in comments and function bodies. A rule forbids INSERT ON CONFLICT on this table (not used).
CREATE RULE outbox_event_notify AS ON INSERT TO "OutboxEvent" DO ALSO NOTIFY outbox_events;
