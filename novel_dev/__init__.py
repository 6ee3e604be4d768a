"""Dev tooling kept out of the service images: the local stack's own PostgreSQL and NATS."""
