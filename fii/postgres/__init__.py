"""PostgreSQL as Django's backend, with a health check that sends no query (base.py)."""
