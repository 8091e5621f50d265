"""Training batches: short sequences of augmented frames (pseudo-cines of still images, and real clips
from the lumbar sweep), drawn per class with fixed class weights, with artefacts on later frames that
only the memory can see through (data.artefacts)."""
import random

import torch

from training.data.artefacts import apply_artefacts
from training.data.augment import photometric, probe_motion, random_base_pose, warp
from training.data.datasets import CLASS_DATASETS, LUMBAR_TRAIN_BELOW, clip_frame

CLASS_WEIGHTS = {"fetal_head": 0.4, "lumbar_bone": 0.3, "hip_bone": 0.3}


class TrainingData:
    """Train images per class (and the lumbar sweep) as float tensors in [0, 1], from `arrays` as
    data.datasets.load_training_arrays builds them (or a pack of them)."""

    def __init__(self, arrays: dict, classes: list[str], use_clip: bool, clip_below: int = LUMBAR_TRAIN_BELOW):
        self.classes = classes
        self.images, self.masks, self.stems = {}, {}, {}
        for c in classes:
            self.images[c] = torch.tensor(arrays[f"{c}/images"], dtype=torch.float32) / 255
            self.masks[c] = torch.tensor(arrays[f"{c}/masks"], dtype=torch.float32) / 255
            self.stems[c] = [str(s) for s in arrays[f"{c}/stems"]]
        if "lumbar_bone" in classes and clip_below < LUMBAR_TRAIN_BELOW:
            keep = [i for i, s in enumerate(self.stems["lumbar_bone"]) if clip_frame(s) + 1 < clip_below]
            self.images["lumbar_bone"] = self.images["lumbar_bone"][keep]
            self.masks["lumbar_bone"] = self.masks["lumbar_bone"][keep]
            self.stems["lumbar_bone"] = [self.stems["lumbar_bone"][i] for i in keep]
            arrays = {**arrays, "lumbar_bone/clip_masks": arrays["lumbar_bone/clip_masks"][keep]}
        # letterboxed size of the arrays: data.datasets.STORE, or what the pack was made at
        self.store = self.images[classes[0]].shape[-1]
        self.clip = None
        if use_clip and "lumbar_bone" in classes:
            if "lumbar_bone/clip_masks" not in arrays:
                raise SystemExit("the data pack predates ROI-cropped clip frames: re-run python3 -m training.data.pack")
            self.clip = torch.tensor(arrays["clip"], dtype=torch.float32) / 255
            # each labelled train frame's mask, cropped as its clip frame is
            self.clip_masks = torch.tensor(arrays["lumbar_bone/clip_masks"], dtype=torch.float32) / 255
            # clip_below < LUMBAR_TRAIN_BELOW keeps the end of the training range out, as a validation fold
            self.clip_labelled = [(clip_frame(s), i) for i, s in enumerate(self.stems["lumbar_bone"])
                                  if clip_frame(s) + 1 < clip_below]

    def summary(self) -> dict:
        return {c: {"dataset": CLASS_DATASETS[c], "train_images": len(self.stems[c])} for c in self.classes}

    def batch(self, batch: int, frames: int, size: int, artefact_p: float = 0.0):
        """-> images [B, T, 1, S, S], masks [B, T, 1, S, S], weights [B, T], class_index [B]. Frames t >= 1
        carry an artefact with probability artefact_p; their masks stay the clean ones."""
        weights = [CLASS_WEIGHTS[c] for c in self.classes]
        imgs, msks, wts, cls, is_clip = [], [], [], [], []
        for _ in range(batch):
            ci = random.choices(range(len(self.classes)), weights)[0]
            c = self.classes[ci]
            if c == "lumbar_bone" and self.clip is not None and frames > 1 and random.random() < 0.5:
                frame, i = random.choice(self.clip_labelled)
                gap = random.randint(1, 3)
                idx = [max(0, frame - gap * (frames - 1 - t)) for t in range(frames)]
                imgs.append(self.clip[idx])
                msks.append(torch.zeros(frames, self.store, self.store))
                msks[-1][-1] = self.clip_masks[i]
                wts.append(torch.tensor([0.0] * (frames - 1) + [1.0]))
                is_clip.append(True)
            else:
                i = random.randrange(len(self.stems[c]))
                imgs.append(self.images[c][i].expand(frames, -1, -1))
                msks.append(self.masks[c][i].expand(frames, -1, -1))
                wts.append(torch.ones(frames))
                is_clip.append(False)
            cls.append(ci)
        images = torch.stack(imgs)[:, :, None]
        masks = torch.stack(msks)[:, :, None]
        clip = torch.tensor(is_clip)
        motion = probe_motion(batch, frames, leave_view_p=0.15)
        motion[clip] = torch.eye(3)  # real clips carry their own motion
        theta = (random_base_pose(batch)[:, None] @ motion).reshape(-1, 3, 3)
        flat = lambda x: x.reshape(batch * frames, 1, self.store, self.store)
        images = warp(flat(images), theta, size)
        masks = (warp(flat(masks), theta, size) > 0.5).float()
        images, visible = photometric(images, frames)
        masks = masks * visible
        shape = (batch, frames, 1, size, size)
        images = apply_artefacts(images.reshape(shape), artefact_p) if artefact_p > 0 else images.reshape(shape)
        return images, masks.reshape(shape), torch.stack(wts), torch.tensor(cls)
