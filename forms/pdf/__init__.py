"""Print rendering: HTML strings in, PDF bytes out, with our own fonts and nothing fetched."""
