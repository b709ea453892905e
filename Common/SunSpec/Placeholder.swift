// Placeholder: the SunSpec codec lands in issue 3.
