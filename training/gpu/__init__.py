"""Training on a GPU machine without ../shared (run.sh) and moving checkpoints in parts."""
