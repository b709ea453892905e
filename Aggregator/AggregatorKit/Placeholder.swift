// Placeholder: storage and ingest land in issue 4.
