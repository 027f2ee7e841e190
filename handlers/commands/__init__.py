"""The `/ecoute` command: a router and one module per group of subcommands."""
