"""allonet: neurosteroid modulation of GABA-A inhibition across timescales."""

__version__ = "0.1.0"
