"""One module per programme figure (domain.md §7), each answering a frame.Report."""
