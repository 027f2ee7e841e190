"""Pure Block Kit builders: data in, a message or view out; the only place blocks are written."""
