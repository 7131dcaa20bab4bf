"""Where asset values live: one Parquet file per asset and campaign date, at a local folder or any fsspec URL
(README: "Storage")."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import dagster as dg
import pandas as pd
import pyarrow.parquet as pq
from upath import UPath

from cucu_pipeline.core.parquet import frame_to_table, table_to_frame


class ParquetIOManager(dg.UPathIOManager):
    """`<base>/<asset>/<campaign date>.parquet`; a re-run of a date replaces its file."""

    extension = ".parquet"

    def dump_to_path(self, context: dg.OutputContext, obj: pd.DataFrame, path: UPath) -> None:
        with path.open("wb") as file:
            pq.write_table(frame_to_table(obj), file)

    def load_from_path(self, context: dg.InputContext, path: UPath) -> pd.DataFrame:
        with path.open("rb") as file:
            return table_to_frame(pq.read_table(file))


class ParquetStorage(dg.ConfigurableIOManagerFactory):
    """The `io_manager` resource: Parquet under `base_url`, a folder or an fsspec URL such as `s3://bucket/cucu`
    (credentials from the filesystem's own environment variables, e.g. `AWS_ACCESS_KEY_ID`)."""

    base_url: str

    def create_io_manager(self, context: dg.InitResourceContext) -> ParquetIOManager:
        return ParquetIOManager(base_path=UPath(self.base_url))


def storage_url(environ: Mapping[str, str], data_dir: str) -> str:
    """`CUCU_STORAGE_URL`, else `assets/` in the data folder."""
    return environ.get("CUCU_STORAGE_URL") or str(Path(data_dir) / "assets")
