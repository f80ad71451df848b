"""Form specs: one declarative TOML file per form type, validated on load."""
