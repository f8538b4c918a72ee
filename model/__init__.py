"""Model: parameter spec, scenarios, data, network, the Mesa model and its outcomes."""
