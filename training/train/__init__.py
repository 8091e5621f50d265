"""Training (`python3 -m training.train`), its steps and losses, checkpoints, dev-split scoring."""
