"""The Sam2Rad architecture (one module per stage, chained in model.py) and the U-Net baseline."""
