"""Virtual studies: what a clinical study would measure in a virtual cohort."""
