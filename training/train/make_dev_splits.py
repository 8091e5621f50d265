"""Lay out each class's dev split as DIR/<class>/{images,masks} (symlinks into ../shared), the input
format of `sam2rad eval --data`.

  /usr/bin/python3 -m training.train.make_dev_splits --out runs/dev [--split train]
"""
import argparse
import os

from training.data.datasets import CLASS_DATASETS, list_samples


def main():
    ap = argparse.ArgumentParser(prog="python3 -m training.train.make_dev_splits", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--split", default="dev", choices=["train", "dev"])
    args = ap.parse_args()
    for class_name in CLASS_DATASETS:
        samples = list_samples(class_name, args.split)
        for sub in ("images", "masks"):
            folder = os.path.join(args.out, class_name, sub)
            os.makedirs(folder, exist_ok=True)
            for f in os.listdir(folder):
                os.unlink(os.path.join(folder, f))
        for s in samples:
            ext = os.path.splitext(s.image_path)[1]
            os.symlink(os.path.abspath(s.image_path), os.path.join(args.out, class_name, "images", s.stem + ext))
            os.symlink(os.path.abspath(s.mask_path), os.path.join(args.out, class_name, "masks", s.stem + ".png"))
        print(f"{class_name}: {len(samples)} {args.split} pairs -> {os.path.join(args.out, class_name)}")


if __name__ == "__main__":
    main()
