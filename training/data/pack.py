"""Pack the training set as the model sees it (each still cropped to its ultrasound ROI, then letterboxed)
into one file, for training on a machine without ../shared.

  /usr/bin/python3 -m training.data.pack --out runs/gpu-train/train-320.npz.xz

train.py --data-pack FILE then reads exactly the arrays it would have built from ../shared.
"""
import argparse
import os

from training.data.datasets import STORE, load_training_arrays, save_pack
from training.model.config import ModelConfig


def main():
    ap = argparse.ArgumentParser(prog="python3 -m training.data.pack", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", type=int, default=STORE,
                    help=f"letterboxed size of the packed images (default {STORE}, what train.py builds from ../shared; "
                         "smaller packs travel where transfers are capped)")
    args = ap.parse_args()
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    arrays = load_training_arrays(list(ModelConfig().classes), args.size, with_clip=True)
    save_pack(args.out, arrays)
    print(f"{args.out}: {os.path.getsize(args.out) / 2**20:.1f} MiB, "
          + ", ".join(f"{k} {v.shape}" for k, v in arrays.items() if not k.endswith("/stems")))


if __name__ == "__main__":
    main()
