"""The imperative shell's jobs: the only place that wires ingest, db and the pure core."""
