"""Reports and dashboards: usage, school, cluster, file movement and service reports (issue 7)."""
