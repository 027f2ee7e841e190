"""Documents Écoute writes for people to keep: the commitment review pack, analysts' exports."""
