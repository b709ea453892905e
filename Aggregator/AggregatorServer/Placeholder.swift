// Placeholder: the HTTPS server lands in issue 4.
