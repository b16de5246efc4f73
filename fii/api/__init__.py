"""The REST API: one base class resolves the tenant from the URL; apps bring their endpoints."""
