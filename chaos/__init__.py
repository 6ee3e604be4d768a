"""`make chaos`: a fault campaign against the local stack, checked from its databases.

A steady load of simulations runs (queued starts with Idempotency-Key retries, the
older synchronous route, reads) while faults strike on a schedule: services SIGKILLed
or SIGTERMed (the supervisor of `make up` restarts them), NATS and PostgreSQL
restarted or stopped for a while. Afterwards the campaign waits for the work to drain
and checks, from the simulation and story schemas, that nothing accepted was lost or
duplicated, and from the responses that no client saw a 500.
"""
