"""The policymaker dashboard: Mesa SolaraViz in the browser (`werklandschap dashboard`).

- `controls`: controls generated from the parameter spec and the model they rebuild on Reset;
- `views`: live views while the model steps (labelled count, curves, map, provinces);
- `compare`: replications of 2-3 scenarios in the background, P(>=1,000) with Wilson intervals;
- `app`: the page that `solara run` serves; `server`: the command that starts it.
"""
