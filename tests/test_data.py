"""Data integrity: the shipped open data are complete and consistent."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from werklandschap.model.data import (
    DATA_DIR,
    MUNICIPALITIES_FILE,
    PARKS_FILE,
    DataError,
    load_data,
    national_data,
    province_outlines,
    province_totals,
)


def test_counts():
    data = national_data()
    assert data.n_parks == 3646
    assert len(np.unique(data.park_id)) == 3646
    assert data.n_municipalities == 342
    assert data.n_provinces == 12


def test_codes_are_text_with_leading_zeros():
    data = national_data()
    assert "0014" in set(data.municipality_code)  # Groningen
    assert all(isinstance(c, str) and len(c) == 4 for c in data.municipality_code)


def test_every_park_maps_to_its_province():
    data = national_data()
    assert np.array_equal(data.municipality_province[data.park_municipality], data.park_province)


def test_counts_and_hectares_per_province_match_published_totals():
    data = national_data()
    totals = province_totals().set_index("provincie")
    frame = data.parks_frame()
    per_province = frame.groupby("province").agg(
        n=("name", "size"), gross=("ha_gross", "sum"), net=("ha_net", "sum")
    )
    assert set(per_province.index) == set(totals.index)
    for name, row in totals.iterrows():
        assert per_province.loc[name, "n"] == row["n_terreinen"], name
        assert per_province.loc[name, "gross"] == pytest.approx(row["ha_bruto"], abs=0.1)
        assert per_province.loc[name, "net"] == pytest.approx(row["ha_netto"], abs=0.1)
    assert per_province["n"].sum() == 3646


def test_park_types_cover_all_parks():
    frame = national_data().parks_frame()
    counts = frame["type"].value_counts()
    assert counts["seaport"] == 48  # wloc_type A
    assert counts.sum() == 3646


def test_outlines_of_all_provinces():
    assert set(province_outlines()) == set(national_data().province_name)


def _copy(tmp_path):
    for f in DATA_DIR.iterdir():
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


def test_duplicate_park_id_is_rejected(tmp_path):
    folder = _copy(tmp_path)
    parks = pd.read_csv(folder / PARKS_FILE, dtype=str)
    parks.loc[1, "rin_nummer"] = parks.loc[0, "rin_nummer"]
    parks.to_csv(folder / PARKS_FILE, index=False)
    with pytest.raises(DataError, match="not unique"):
        load_data(folder)


def test_unknown_municipality_is_rejected(tmp_path):
    folder = _copy(tmp_path)
    parks = pd.read_csv(folder / PARKS_FILE, dtype=str)
    parks.loc[0, "gemeentecode"] = "9999"
    parks.to_csv(folder / PARKS_FILE, index=False)
    with pytest.raises(DataError, match="unknown municipalities"):
        load_data(folder)


def test_missing_file_is_rejected(tmp_path):
    folder = _copy(tmp_path)
    (folder / MUNICIPALITIES_FILE).unlink()
    with pytest.raises(DataError, match="missing"):
        load_data(folder)
