"""The policymaker dashboard: one Solara page in the browser (`werklandschap dashboard`).

- `words`: the page's own words in Dutch and English (lever and outcome words live in the specs);
- `controls`: lever controls generated from the parameter spec, and the model they build;
- `views`: the headline answer and the charts of one run (Okabe-Ito colours);
- `compare`: the baseline, "my scenario" and shipped scenarios over many runs, in the background;
- `export`: settings as a scenario YAML, results as CSV and Excel;
- `app`: the page that `solara run` serves; `server`: the command that starts it.
"""
