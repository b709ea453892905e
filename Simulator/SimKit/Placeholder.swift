// Placeholder: the simulator lands in issue 3.
