"""allonet's Hydra sweeper plugin (see :mod:`.allonet_sweeper`)."""
