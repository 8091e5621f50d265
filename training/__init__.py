"""Sam2Rad training, export and GPU tooling, run from the repository root with `python3 -m`:

  python3 -m training.train --out runs/main                          # train (training/train/train.py)
  python3 -m training.export.export_onnx --checkpoint runs/main/checkpoint.pt --out models/sam2rad-us

Subpackages: model (the Sam2Rad architecture and the U-Net baseline), data (datasets, batches,
augmentation, artefacts, packs), train (training, losses, checkpoints, dev scoring), export (ONNX
export and import, fp16 and int8 variants), gpu (training on a GPU machine). See docs/model.md.
"""
