"""ABC-SMC calibration (pyabc): the real series and their distances (`series`), the pyabc wiring
on the project's executors (`smc`) and the checks of the posterior (`checks`)."""
