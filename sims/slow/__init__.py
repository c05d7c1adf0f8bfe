"""The slow layer (hours to weeks): hormone scenarios, treatments, steroid synthesis and
kinetics, the HPA axis and inflammation, integrated on their own clock."""
