"""Host-side data steps (Parquet I/O, statistics, schema, validation): numpy and pyarrow only."""
