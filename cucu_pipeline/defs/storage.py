"""Where asset values live: one Parquet file per asset and campaign date, at a local folder or any fsspec URL
(docs/production.md: "Storage")."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import dagster as dg
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from upath import UPath

from cucu_pipeline.core.parquet import frame_to_table, table_to_frame


class UnreadableStoredValue(Exception):
    """A stored file that exists but is not a readable Parquet table (cut short, overwritten, another format)."""


class ParquetIOManager(dg.UPathIOManager):
    """`<base>/<asset>/<campaign date>.parquet`; a re-run of a date replaces its file."""

    extension = ".parquet"

    def dump_to_path(self, context: dg.OutputContext, obj: pd.DataFrame, path: UPath) -> None:
        with path.open("wb") as file:
            pq.write_table(frame_to_table(obj), file)

    def load_partitions(self, context: dg.InputContext):
        """The stored dates of a multi-date input, `{date: frame}`. Where the input allows missing dates
        (`allow_missing_partitions`), a date not stored is left out without Dagster's warning per date: the step that
        reads them says once what it did about them (the weekly read counts them from the sources)."""
        allowed = (context.definition_metadata or {}).get("allow_missing_partitions", False)
        if not allowed or len(context.asset_partition_keys) < 2:
            return super().load_partitions(context)
        # UPathIOManager's own paths for the dates (what `super().load_partitions` reads), pinned with Dagster.
        paths = self._get_paths_for_partitions(context)
        stored = {key: path for key, path in paths.items() if self.path_exists(path)}
        context.log.debug(f"{len(paths) - len(stored)} of {len(paths)} dates not stored")
        return {key: self.load_from_path(context, path) for key, path in stored.items()}

    def load_from_path(self, context: dg.InputContext, path: UPath) -> pd.DataFrame:
        # An input may name the columns it reads (`AssetIn(metadata={"columns": [...]})`, as Dagster's own table IO
        # managers take it: https://docs.dagster.io/api/libraries/dagster-deltalake); the rest are never loaded.
        metadata = context.definition_metadata or {}
        try:
            with path.open("rb") as file:
                table = pq.read_table(file, columns=metadata.get("columns"))
                return table_to_frame(table, tuple(metadata.get("kept_in_arrow", ())))
        except FileNotFoundError:
            raise  # a date never stored: Dagster says so, or skips it where missing dates are allowed
        except (pa.ArrowException, OSError) as error:
            # Arrow names only '<Buffer>': say which value, which date and which file, and what mends it.
            asset, date = path.parent.name, path.stem
            raise UnreadableStoredValue(
                f"The stored {asset} for {date} cannot be read ({error}): {path}. "
                f"Materialize {asset} for {date} again to replace it."
            ) from error


def reads(*columns: str, kept_in_arrow: tuple[str, ...] = ()) -> dg.AssetIn:
    """An input that loads only these columns of the stored table: a step that needs five of a million members'
    twenty fields leaves the rest, and their Python lists, on disk. The columns `kept_in_arrow` load as Arrow
    arrays: a step that reads a column's lists for a fifth of the rows converts only those."""
    return dg.AssetIn(metadata={"columns": list(columns), "kept_in_arrow": list(kept_in_arrow)})


class ParquetStorage(dg.ConfigurableIOManagerFactory):
    """The `io_manager` resource: Parquet under `base_url`, a folder or an fsspec URL such as `s3://bucket/cucu`
    (credentials from the filesystem's own environment variables, e.g. `AWS_ACCESS_KEY_ID`)."""

    base_url: str

    def create_io_manager(self, context: dg.InitResourceContext) -> ParquetIOManager:
        return ParquetIOManager(base_path=UPath(self.base_url))


def storage_url(environ: Mapping[str, str], data_dir: str) -> str:
    """`CUCU_STORAGE_URL`, else `assets/` in the data folder."""
    return environ.get("CUCU_STORAGE_URL") or str(Path(data_dir) / "assets")
