"""Load and check the shipped open data: business parks (IBIS 2024), municipalities and provinces.

The files and their provenance are in `model/data/SOURCES.md`. Loading checks what the model relies
on (3,646 parks with unique ids, 342 municipalities, 12 provinces, every park mapped to a known
municipality in the same province, codes read as text) and fails with a `DataError` naming the
problem otherwise. Corrections happen here, never in the files:
- `wloc_type` empty or `ONBEKEND` (14 parks) is read as park type "other".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

DATA_DIR = Path(__file__).parent / "data"
PARKS_FILE = "ibis_bedrijventerreinen_2024.csv"
MUNICIPALITIES_FILE = "nl_gemeenten_2025.csv"
PROVINCE_TOTALS_FILE = "ibis_per_provincie_2024.csv"
PROVINCE_OUTLINES_FILE = "provincie_2025.geojson"

EXPECTED_PARKS = 3646
EXPECTED_MUNICIPALITIES = 342
EXPECTED_PROVINCES = 12

PARK_TYPES = ("seaport", "mixed", "specialised", "other")


class DataError(ValueError):
    """The shipped data do not satisfy what the model relies on."""


@dataclass(frozen=True, eq=False)
class NationalData:
    """Static data of all parks, municipalities and provinces, as aligned numpy arrays.

    Parks are indexed 0..n_parks-1 in file order; `park_municipality` and `park_province` index
    into the municipality and province arrays. Provinces are in alphabetical order.
    """

    park_id: np.ndarray  # RIN number (int64)
    park_name: np.ndarray  # object
    park_municipality: np.ndarray  # int32 index
    park_province: np.ndarray  # int32 index
    park_ha_gross: np.ndarray  # hectares
    park_ha_net: np.ndarray  # hectares
    park_type: np.ndarray  # int8 index into PARK_TYPES
    municipality_code: np.ndarray  # "0014" (text)
    municipality_name: np.ndarray
    municipality_province: np.ndarray  # int32 index
    municipality_lon: np.ndarray  # WGS84 degrees
    municipality_lat: np.ndarray
    province_name: tuple[str, ...]

    @property
    def n_parks(self) -> int:
        return len(self.park_id)

    @property
    def n_municipalities(self) -> int:
        return len(self.municipality_code)

    @property
    def n_provinces(self) -> int:
        return len(self.province_name)

    def province_index(self, name: str) -> int:
        try:
            return self.province_name.index(name)
        except ValueError:
            raise KeyError(
                f"unknown province {name!r}; known: {', '.join(self.province_name)}"
            ) from None

    def parks_frame(self) -> pd.DataFrame:
        """The parks as a DataFrame (for notebooks and tables)."""
        return pd.DataFrame(
            {
                "rin_nummer": self.park_id,
                "name": self.park_name,
                "municipality": self.municipality_name[self.park_municipality],
                "province": np.asarray(self.province_name)[self.park_province],
                "ha_gross": self.park_ha_gross,
                "ha_net": self.park_ha_net,
                "type": np.asarray(PARK_TYPES)[self.park_type],
            }
        )


def _park_type(code: object) -> int:
    code = "" if pd.isna(code) else str(code).strip().upper()
    if code == "A":
        return 0
    if code.startswith("B"):
        return 1
    if code.startswith("C"):
        return 2
    return 3


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise DataError(message)


def _read_csv(directory: Path, name: str, **kwargs) -> pd.DataFrame:
    path = directory / name
    if not path.is_file():
        raise DataError(f"data file missing: {path}")
    return pd.read_csv(path, **kwargs)


def load_data(directory: Path | str = DATA_DIR) -> NationalData:
    """Load and check the park, municipality and province data (see module docstring)."""
    directory = Path(directory)
    parks = _read_csv(directory, PARKS_FILE, dtype={"gemeentecode": str, "gm_code": str})
    towns = _read_csv(directory, MUNICIPALITIES_FILE, dtype={"gemeentecode": str, "gm_code": str})

    _require(len(parks) == EXPECTED_PARKS, f"{PARKS_FILE}: {len(parks)} parks, expected 3646")
    _require(parks["rin_nummer"].is_unique, f"{PARKS_FILE}: park ids (rin_nummer) not unique")
    _require(
        len(towns) == EXPECTED_MUNICIPALITIES,
        f"{MUNICIPALITIES_FILE}: {len(towns)} municipalities, expected 342",
    )
    _require(towns["gemeentecode"].is_unique, f"{MUNICIPALITIES_FILE}: codes not unique")
    _require(
        towns["gemeentecode"].str.fullmatch(r"\d{4}").all(),
        f"{MUNICIPALITIES_FILE}: gemeentecode must be 4 digits read as text",
    )
    provinces = tuple(sorted(towns["provincie"].unique()))
    _require(len(provinces) == EXPECTED_PROVINCES, f"{len(provinces)} provinces, expected 12")

    town_index = pd.Series(np.arange(len(towns)), index=towns["gemeentecode"])
    unknown = sorted(set(parks["gemeentecode"]) - set(town_index.index))
    _require(not unknown, f"{PARKS_FILE}: parks in unknown municipalities {unknown[:5]}")
    park_town = town_index.loc[parks["gemeentecode"]].to_numpy(np.int32)
    town_province = np.array([provinces.index(p) for p in towns["provincie"]], dtype=np.int32)
    park_province = np.array([provinces.index(p) for p in parks["provincie"]], dtype=np.int32)
    mismatched = np.flatnonzero(town_province[park_town] != park_province)
    _require(
        mismatched.size == 0,
        f"{PARKS_FILE}: {mismatched.size} parks whose province differs from their municipality's",
    )
    _require(
        bool(np.isfinite(towns[["centroid_lon", "centroid_lat"]].to_numpy()).all()),
        f"{MUNICIPALITIES_FILE}: missing centroids",
    )
    _require((parks[["ha_bruto", "ha_netto"]] >= 0).all().all(), "negative park hectares")

    return NationalData(
        park_id=parks["rin_nummer"].to_numpy(np.int64),
        park_name=parks["plan_naam"].to_numpy(object),
        park_municipality=park_town,
        park_province=park_province,
        park_ha_gross=parks["ha_bruto"].to_numpy(float),
        park_ha_net=parks["ha_netto"].to_numpy(float),
        park_type=np.array([_park_type(c) for c in parks["wloc_type"]], dtype=np.int8),
        municipality_code=towns["gemeentecode"].to_numpy(object),
        municipality_name=towns["naam"].to_numpy(object),
        municipality_province=town_province,
        municipality_lon=towns["centroid_lon"].to_numpy(float),
        municipality_lat=towns["centroid_lat"].to_numpy(float),
        province_name=provinces,
    )


@cache
def national_data() -> NationalData:
    """The shipped data, loaded and checked once per process."""
    return load_data(DATA_DIR)


@lru_cache(maxsize=8)
def parks_by_province(data: NationalData) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """Parks per province and each province's park indices in index order (read-only): static,
    so computed once per data set and process (the selections group their candidates by it)."""
    counts = np.bincount(data.park_province, minlength=data.n_provinces)
    order = np.argsort(data.park_province, kind="stable")  # by province, then index
    groups = tuple(np.split(order, np.cumsum(counts)[:-1]))
    for array in (counts, *groups):
        array.flags.writeable = False
    return counts, groups


def province_totals(directory: Path | str = DATA_DIR) -> pd.DataFrame:
    """Published province totals of the IBIS extract (without the TOTAL row)."""
    totals = _read_csv(Path(directory), PROVINCE_TOTALS_FILE)
    return totals[totals["provincie"] != "TOTAL"].reset_index(drop=True)


@cache
def province_outlines() -> dict[str, list[np.ndarray]]:
    """Province outlines for maps: name -> list of (k, 2) lon/lat rings (outer rings only)."""
    with open(DATA_DIR / PROVINCE_OUTLINES_FILE, encoding="utf-8") as f:
        features = json.load(f)["features"]
    outlines: dict[str, list[np.ndarray]] = {}
    for feature in features:
        geometry = feature["geometry"]
        polygons = (
            geometry["coordinates"]
            if geometry["type"] == "MultiPolygon"
            else [geometry["coordinates"]]
        )
        outlines[feature["properties"]["statnaam"]] = [np.asarray(p[0]) for p in polygons]
    return outlines


def subset(data: NationalData, provinces: tuple[str, ...]) -> NationalData:
    """The parks and municipalities of some provinces (all 12 province names are kept, so
    province indices and Green Deal names stay valid). Used for docking and small experiments."""
    unknown = set(provinces) - set(data.province_name)
    if unknown:
        raise KeyError(f"unknown province(s): {', '.join(sorted(unknown))}")
    chosen = np.array([data.province_name.index(p) for p in provinces])
    towns = np.flatnonzero(np.isin(data.municipality_province, chosen))
    parks = np.flatnonzero(np.isin(data.park_province, chosen))
    new_town = np.full(data.n_municipalities, -1, np.int32)
    new_town[towns] = np.arange(towns.size)
    return NationalData(
        park_id=data.park_id[parks],
        park_name=data.park_name[parks],
        park_municipality=new_town[data.park_municipality[parks]],
        park_province=data.park_province[parks],
        park_ha_gross=data.park_ha_gross[parks],
        park_ha_net=data.park_ha_net[parks],
        park_type=data.park_type[parks],
        municipality_code=data.municipality_code[towns],
        municipality_name=data.municipality_name[towns],
        municipality_province=data.municipality_province[towns],
        municipality_lon=data.municipality_lon[towns],
        municipality_lat=data.municipality_lat[towns],
        province_name=data.province_name,
    )
