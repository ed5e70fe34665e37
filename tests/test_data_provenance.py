"""Provenance rows: write, read, combine, where a reused copy first came from."""

import pytest

from nnrec import DataError, data


def test_provenance_rows_round_trip_and_combine(tmp_path):
    pages = [data.Fetched("pages/01_list", "mirror", "../shared/data/images/01_list.jpg", "a" * 64)]
    chars = [data.Fetched(f"characters/{s}", "synthetic", f"resources/characters/{s}.mat", "b" * 64, "NOT real")
             for s in data.CHARACTER_SPLITS]  # fmt: skip
    data.write_provenance(pages, tmp_path / "pages.csv")
    data.write_provenance(chars, tmp_path / "characters.csv")
    header = (tmp_path / "pages.csv").read_text().splitlines()[0]
    assert header == "dataset,source,location,sha256,note"
    table = data.combine_provenance([tmp_path / "characters.csv", tmp_path / "pages.csv"])
    assert list(table.columns) == list(data.PROVENANCE_COLUMNS)
    assert list(table.source) == ["synthetic"] * 3 + ["mirror"]
    assert table.note.iloc[3] == ""
    assert data.character_source(tmp_path / "characters.csv") == "synthetic"
    with pytest.raises(DataError, match="no rows for dataset characters"):
        data.character_source(tmp_path / "pages.csv")


def test_with_origin_keeps_where_a_reused_copy_first_came_from(tmp_path):
    first = [data.Fetched("pages/01_list", "mirror", "m/images/01_list.jpg", "a" * 64),
             data.Fetched("pages/02_letters", "mirror", "m/images/02_letters.jpg", "b" * 64)]  # fmt: skip
    data.write_provenance(first, tmp_path / "pages.csv")
    reused = [data.Fetched("pages/01_list", "resources", "r/01_list.jpg", "a" * 64),
              data.Fetched("pages/02_letters", "resources", "r/02_letters.jpg", "c" * 64)]  # fmt: skip
    second = data.with_origin(reused, tmp_path / "pages.csv")
    assert second[0].note == "first fetched from mirror m/images/01_list.jpg"
    assert second[1].note == ""  # different bytes than last time: no claim about their origin
    data.write_provenance(second, tmp_path / "pages.csv")
    third = data.with_origin(reused[:1], tmp_path / "pages.csv")
    assert third[0].note == "first fetched from mirror m/images/01_list.jpg"
    assert data.with_origin(reused, tmp_path / "missing.csv") == reused


def test_provenance_rejects_unknown_source_and_columns(tmp_path):
    with pytest.raises(DataError, match="source values"):
        data.write_provenance([data.Fetched("x", "somewhere", "", "")], tmp_path / "p.csv")
    (tmp_path / "q.csv").write_text("dataset,origin\nx,y\n")
    with pytest.raises(DataError, match="columns"):
        data.read_provenance(tmp_path / "q.csv")
