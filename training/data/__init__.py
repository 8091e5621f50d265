"""Training data: the shared datasets and their splits, sequence batches, augmentation, artefacts, packs."""
