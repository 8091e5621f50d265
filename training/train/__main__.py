"""`python3 -m training.train ...` is `python3 -m training.train.train ...`."""
from training.train.train import main

main()
