"""Journal pages, one module per screen family: homes, the journal, goals, help, data."""
