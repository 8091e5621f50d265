"""The three ultrasound datasets in ../shared/datasets, their train/dev splits and in-memory loading.

Splits follow each dataset README: by subject (HC18), by case (hip), by contiguous frame range
(lumbar, one sweep). The held-out test sets are not in shared/ and are never touched here.
"""
import csv
import hashlib
import io
import lzma
import os
import json
import random
import subprocess
from dataclasses import dataclass

import numpy as np
from PIL import Image

SHARED = os.environ.get("SAM2RAD_SHARED", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"))
DATASETS = os.path.join(SHARED, "datasets")

CLASS_DATASETS = {
    "fetal_head": "hc18_fetal_head_us",
    "lumbar_bone": "lumbar_spine_bone_us",
    "hip_bone": "hip_ddh_radiopaedia_us",
}
HIP_DEV_CASES = {"171555", "171556"}
LUMBAR_TRAIN_BELOW = 170  # frames < 170 train; frames >= 180 dev (a 10-frame gap)
LUMBAR_DEV_FROM = 180
CLIP = os.path.join(DATASETS, "videos", "lumbar_spine_sweep_f0001-0209.mp4")
STORE = 320  # letterboxed size of the training arrays; augmentation resamples it to the model size
SAM2RAD_CLI = os.path.join(os.path.dirname(__file__), "..", "..", "dist", "src", "app", "cli", "main.js")


def _hc18_is_dev(subject: str) -> bool:
    return int(hashlib.sha256(subject.encode()).hexdigest(), 16) % 5 == 0  # 20 % of subjects


def split_of(class_name: str, row: dict) -> str | None:
    """'train', 'dev' or None (in the gap between lumbar train and dev ranges)."""
    if class_name == "fetal_head":
        return "dev" if _hc18_is_dev(row["subject_id"]) else "train"
    if class_name == "hip_bone":
        return "dev" if row["radiopaedia_case_rID"] in HIP_DEV_CASES else "train"
    frame = int(row["raw_frame_index"])
    if frame < LUMBAR_TRAIN_BELOW:
        return "train"
    return "dev" if frame >= LUMBAR_DEV_FROM else None


@dataclass
class Sample:
    class_name: str
    stem: str
    image_path: str
    mask_path: str


def list_samples(class_name: str, split: str) -> list[Sample]:
    folder = os.path.join(DATASETS, CLASS_DATASETS[class_name])
    images = {os.path.splitext(f)[0]: f for f in os.listdir(os.path.join(folder, "images"))}
    out = []
    with open(os.path.join(folder, "provenance.csv")) as f:
        for row in csv.DictReader(f):
            if split_of(class_name, row) == split:
                stem = row["stem"]
                out.append(Sample(class_name, stem, os.path.join(folder, "images", images[stem]),
                                  os.path.join(folder, "masks", stem + ".png")))
    return sorted(out, key=lambda s: s.stem)


def letterbox(array: np.ndarray, size: int, resample) -> np.ndarray:
    """Resize the longest side to `size` and pad bottom/right with zeros (the runtime does the same)."""
    h, w = array.shape
    scale = size / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    resized = np.asarray(Image.fromarray(array).resize((nw, nh), resample), dtype=np.float32)
    out = np.zeros((size, size), np.float32)
    out[:nh, :nw] = resized
    return out


def load_grey(path: str) -> np.ndarray:
    return np.asarray(Image.open(path).convert("L"))


def sam2rad_roi(*args: str) -> list[dict]:
    """The JSON lines of `sam2rad roi` (the runtime's own ROI detector, which `--roi auto` applies
    before the model), so that training crops exactly as the runtime will. Needs the built CLI."""
    if not os.path.exists(SAM2RAD_CLI):
        raise SystemExit(f"{SAM2RAD_CLI} not found: run `npm run build` first (training crops with the runtime's ROI detector)")
    out = subprocess.run(["node", SAM2RAD_CLI, "roi", *args], capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def as_rect(found: dict) -> tuple[int, int, int, int]:
    r = found["rect"]
    return r["x"], r["y"], r["width"], r["height"]


def image_rois(samples: list[Sample]) -> dict[str, tuple[int, int, int, int]]:
    """image path -> (x, y, width, height) of the ultrasound image inside the screen grab."""
    return {found["file"]: as_rect(found) for found in sam2rad_roi(*(s.image_path for s in samples))}


RoiChanges = list[tuple[int, tuple[int, int, int, int]]]


def clip_rois() -> RoiChanges:
    """(first frame, rect) for each ROI `serve --roi auto` crops the lumbar sweep to, in frame order
    (the first frame's brightness detection, then the motion detection after a few dozen frames)."""
    return [(found["frame"], as_rect(found)) for found in sam2rad_roi("--video", CLIP)]


def roi_at(changes: RoiChanges, frame: int) -> tuple[int, int, int, int]:
    return [rect for first, rect in changes if first <= frame][-1]


def clip_frame(stem: str) -> int:
    """The sweep frame a lumbar still was taken from: raw frame r (stem ..._fRRRR) is clip frame r - 1."""
    return int(stem.split("_f")[1]) - 1


def load_pair(sample: Sample, size: int, roi: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Image in [0, 1] and mask in {0, 1}, cropped to `roi` (x, y, width, height), then both
    letterboxed to size x size."""
    return crop_letterbox(load_grey(sample.image_path), size, roi) / 255.0, load_mask(sample, size, roi)


def load_mask(sample: Sample, size: int, roi: tuple[int, int, int, int]) -> np.ndarray:
    """The sample's mask in {0, 1} (then letterbox-interpolated), cropped to `roi`."""
    return crop_letterbox((load_grey(sample.mask_path) > 127).astype(np.uint8) * 255, size, roi) / 255.0


def crop_letterbox(grey: np.ndarray, size: int, roi: tuple[int, int, int, int]) -> np.ndarray:
    x, y, w, h = roi
    return letterbox(grey[y:y + h, x:x + w], size, Image.BILINEAR)


def load_clip_frames(size: int, rois: RoiChanges) -> np.ndarray:
    """The real lumbar sweep, decoded with ffmpeg: [N, size, size] in [0, 1], each frame cropped to the
    ROI in force at it. Frame k = raw frame k + 1."""
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                            "stream=width,height", "-of", "csv=p=0", CLIP], capture_output=True, text=True, check=True)
    w, h = map(int, probe.stdout.strip().split(","))
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", CLIP, "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                         capture_output=True, check=True).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, h, w)
    return np.stack([crop_letterbox(f, size, roi_at(rois, k)) / 255.0 for k, f in enumerate(frames)])


def few_shot_indices(counts: dict[str, int], images_per_class: int, seed: int) -> dict[str, list[int]]:
    """Which train samples of each class a run uses: all (images_per_class 0), or that many drawn with
    `seed` (paper 4.7). The same draw whether the samples come from ../shared or from a pack."""
    rng = random.Random(seed)
    return {c: sorted(rng.sample(range(n), images_per_class)) if images_per_class else list(range(n))
            for c, n in counts.items()}


def load_training_arrays(classes: list[str], size: int, with_clip: bool, images_per_class: int = 0,
                         seed: int = 0) -> dict[str, np.ndarray]:
    """The train samples (all, or a few-shot draw) letterboxed to size x size as uint8 (lossless: the
    resize already rounds to grey levels): '{class}/images' and '{class}/masks' [N, size, size],
    '{class}/stems' [N], and when with_clip 'clip' [F, size, size] (each frame cropped as the runtime
    crops the sweep) with 'lumbar_bone/clip_masks' [N] (each lumbar mask cropped as its clip frame is).
    Only the chosen images are read."""
    samples = {c: list_samples(c, "train") for c in classes}
    keep = few_shot_indices({c: len(s) for c, s in samples.items()}, images_per_class, seed)
    arrays = {}
    for c in classes:
        chosen = [samples[c][i] for i in keep[c]]
        rois = image_rois(chosen)
        pairs = [load_pair(s, size, rois[s.image_path]) for s in chosen]
        arrays[f"{c}/images"] = np.stack([np.rint(p[0] * 255) for p in pairs]).astype(np.uint8)
        arrays[f"{c}/masks"] = np.stack([np.rint(p[1] * 255) for p in pairs]).astype(np.uint8)
        arrays[f"{c}/stems"] = np.array([s.stem for s in chosen])
    if with_clip and "lumbar_bone" in classes:
        changes = clip_rois()
        arrays["clip"] = np.rint(load_clip_frames(size, changes) * 255).astype(np.uint8)
        lumbar = [samples["lumbar_bone"][i] for i in keep["lumbar_bone"]]
        arrays["lumbar_bone/clip_masks"] = np.stack([np.rint(load_mask(s, size, roi_at(changes, clip_frame(s.stem))) * 255)
                                                     for s in lumbar]).astype(np.uint8)
    return arrays


def save_pack(path: str, arrays: dict[str, np.ndarray]) -> None:
    """One xz-compressed .npz: the training set for a machine without ../shared (a GPU machine)."""
    with lzma.open(path, "wb", preset=6) as f:
        np.savez(f, **arrays)


def load_pack(path: str, classes: list[str], images_per_class: int = 0, seed: int = 0) -> dict[str, np.ndarray]:
    """A pack's arrays, with the same few-shot draw as load_training_arrays."""
    with lzma.open(path, "rb") as f:
        with np.load(io.BytesIO(f.read())) as npz:
            arrays = {k: npz[k] for k in npz.files}
    keep = few_shot_indices({c: len(arrays[f"{c}/stems"]) for c in classes}, images_per_class, seed)
    for c in classes:
        for part in ("images", "masks", "stems", "clip_masks"):
            if f"{c}/{part}" in arrays:
                arrays[f"{c}/{part}"] = arrays[f"{c}/{part}"][keep[c]]
    return arrays
