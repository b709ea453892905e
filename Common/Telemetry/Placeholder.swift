// Placeholder: the telemetry frame codec lands in issue 4.
