"""What the public may read (published snapshots) and write (submissions), and nothing else."""
