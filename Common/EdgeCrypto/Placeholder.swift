// Placeholder: the wrapper lands in the C-wrapper work of issue 2.
