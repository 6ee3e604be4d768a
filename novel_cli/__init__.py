"""`novel`: the operator's command line (migrations, API keys, seeding, the local stack).

It is the one place allowed to know every service, the way docker-compose is.
"""
