"""Write an INTERIM model/data/posterior.json from the ABC rejection calibration.

Stop-gap until the sequential ABC (ABC-SMC) calibration ships the real posterior: the accepted
draws of `verification.calibration.calibrate` (rejection ABC on the KVO-B analogue), each with
equal weight. Nothing in the code depends on these numbers; run from the repository root:

    python docs/interim_posterior.py [--draws 200] [--accept 0.1] [--seed 2026] [--out PATH]
"""

from __future__ import annotations

import argparse
import datetime

import numpy as np

from werklandschap.model.posterior import POSTERIOR_FILE, Posterior, save_posterior
from werklandschap.runs.provenance import git_commit
from werklandschap.verification import calibration


def interim_posterior(draws: int, accept: float, seed: int) -> Posterior:
    """The accepted draws of a rejection-ABC calibration as an equal-weight Posterior."""
    result = calibration.calibrate(draws=draws, accept=accept, seed=seed)
    names = tuple(calibration.CALIBRATED)
    particles = result.accepted[list(names)].to_numpy(float)
    data = {
        name: {"target": list(bounds), "source": "KVO-B analogue (docs/calibration.md)"}
        for name, bounds in calibration.TARGETS.items()
    }
    provenance = {
        "method": "interim: ABC rejection accepted draws (equal weights)",
        "draws": draws,
        "accepted": len(particles),
        "seed": seed,
        "code_version": git_commit(),
        "date": datetime.date.today().isoformat(),
        "note": "to be replaced by the ABC-SMC posterior",
    }
    return Posterior(names, particles, np.ones(len(particles)), data, provenance)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--accept", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", default=str(POSTERIOR_FILE))
    args = parser.parse_args()
    posterior = interim_posterior(args.draws, args.accept, args.seed)
    print(f"{posterior.size} particles written to {save_posterior(posterior, args.out)}")


if __name__ == "__main__":
    main()
