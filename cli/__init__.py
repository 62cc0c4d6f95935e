"""The `csms` command line: the composition root that wires both servers."""
