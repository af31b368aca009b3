"""Reports and dashboards: numbers computed by the database, always scoped to the reader."""
