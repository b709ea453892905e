// Shared fixtures are added below.
