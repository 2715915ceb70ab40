"""Run outputs: stress fields, probes, time series, VTX fields, figures, summary, manifest."""
