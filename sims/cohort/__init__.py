"""Virtual cohorts: populations of individuals (sims.cohort.sampling, sims.cohort.engine)."""
