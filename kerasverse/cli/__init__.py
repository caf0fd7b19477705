"""The `kerasverse` command line. Each capability adds its verb here."""
