"""Roster pages, one module per screen family: groups and families, invitations, consent, people."""
