"""The config's modules (schemas, rules, typing, network and section checks, roles,
calibrated values, validation, composition, the parameters page); their public names are
re-exported by :mod:`sims.config`."""
