"""Pure analysis: training load and recovery status from plain data, with reasons."""
