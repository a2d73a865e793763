-- Which node monitors a domain (PostgreSQL clusters): the holder renews it every round; when it
-- stops renewing, another node takes the domain over once expires_at has passed.
CREATE TABLE monitor_leases (
    domain_id  BIGINT PRIMARY KEY,
    node       TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
