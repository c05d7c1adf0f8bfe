"""Virtual cohorts: populations of individuals (issue in progress; see sims.cohort.sampling)."""
