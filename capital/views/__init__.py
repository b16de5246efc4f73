"""Views of the capital app, one module per screen: thin, they parse, call and render."""
