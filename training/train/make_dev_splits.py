"""Lay out each class's dev split as DIR/<class>/{images,masks} (symlinks into ../shared), the input
format of `sam2rad eval --data`.

  /usr/bin/python3 -m training.train.make_dev_splits --out runs/dev [--split train]
  /usr/bin/python3 -m training.train.make_dev_splits --out runs/fold --fold-from 131

--fold-from N lays out the memory's validation fold instead: the training split's lumbar frames >= N (a
memory run keeps them out with --clip-below N; the release rule is checked on them, never on dev).
"""
import argparse
import os
import re

from training.data.datasets import CLASS_DATASETS, list_samples


def main():
    ap = argparse.ArgumentParser(prog="python3 -m training.train.make_dev_splits", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--split", default="dev", choices=["train", "dev"])
    ap.add_argument("--fold-from", type=int, help="only the training split's lumbar frames from this raw frame index on")
    args = ap.parse_args()
    classes = ["lumbar_bone"] if args.fold_from is not None else list(CLASS_DATASETS)
    split = "train" if args.fold_from is not None else args.split
    for class_name in classes:
        samples = list_samples(class_name, split)
        if args.fold_from is not None:  # lumbar stems end with their raw frame index: lumbar_f0133
            samples = [s for s in samples if int(re.search(r"_f(\d+)$", s.stem).group(1)) >= args.fold_from]
        for sub in ("images", "masks"):
            folder = os.path.join(args.out, class_name, sub)
            os.makedirs(folder, exist_ok=True)
            for f in os.listdir(folder):
                os.unlink(os.path.join(folder, f))
        for s in samples:
            ext = os.path.splitext(s.image_path)[1]
            os.symlink(os.path.abspath(s.image_path), os.path.join(args.out, class_name, "images", s.stem + ext))
            os.symlink(os.path.abspath(s.mask_path), os.path.join(args.out, class_name, "masks", s.stem + ".png"))
        print(f"{class_name}: {len(samples)} {split} pairs -> {os.path.join(args.out, class_name)}")


if __name__ == "__main__":
    main()
