"""The posterior file format (model/posterior.py): load, save, draw, quantiles, bad files."""

import json

import numpy as np
import pytest

from werklandschap.model import seeds
from werklandschap.model.posterior import (
    Posterior,
    PosteriorFileError,
    load_posterior,
    save_posterior,
)


def _posterior() -> Posterior:
    particles = np.array([[0.1, 1.0], [0.2, 2.0], [0.3, 3.0], [0.4, 4.0]])
    return Posterior(("a", "b"), particles, np.array([1.0, 1.0, 1.0, 5.0]), {"x": 1}, {"y": 2})


def test_round_trip_keeps_particles_weights_and_provenance(tmp_path):
    path = save_posterior(_posterior(), tmp_path / "p.json")
    back = load_posterior(path)
    assert back.names == ("a", "b")
    np.testing.assert_array_equal(back.particles, _posterior().particles)
    np.testing.assert_allclose(back.weights, [0.125, 0.125, 0.125, 0.625])
    assert back.data == {"x": 1} and back.provenance == {"y": 2}


def test_draw_follows_the_weights_and_the_seed():
    post = _posterior()
    draws = post.draw(8000, seeds.posterior(3))
    share_heavy = np.mean([d["a"] == 0.4 for d in draws])
    assert abs(share_heavy - 0.625) < 0.03  # binomial sd 0.0054: 5.5 sd tolerance
    assert draws[:20] == post.draw(20, seeds.posterior(3))
    assert draws[:20] != post.draw(20, seeds.posterior(4))


def test_weighted_median_and_effective_size():
    post = _posterior()
    assert post.median() == {"a": 0.4, "b": 4.0}  # the heavy particle holds 62.5% of the mass
    assert post.quantile(0.1) == {"a": 0.1, "b": 1.0}
    assert post.effective_size == pytest.approx(1 / (3 * 0.125**2 + 0.625**2))


@pytest.mark.parametrize(
    "content, words",
    [
        ("{", "unreadable"),
        ('{"parameters": ["a"]}', "needs the keys"),
        ('{"parameters": ["a", "b"], "particles": [[1]], "weights": [1]}', "one column"),
        ('{"parameters": ["a"], "particles": [[1], [2]], "weights": [1]}', "one weight"),
        ('{"parameters": ["a"], "particles": [[1]], "weights": [-1]}', ">= 0"),
    ],
)
def test_bad_files_give_one_line(tmp_path, content, words):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(PosteriorFileError, match=words) as error:
        load_posterior(path)
    assert "\n" not in str(error.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(PosteriorFileError, match="not found"):
        load_posterior(tmp_path / "none.json")
    assert not (tmp_path / "none.json").exists()
    assert json.loads(json.dumps(_posterior().to_dict()))["parameters"] == ["a", "b"]
