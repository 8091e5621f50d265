"""Move a checkpoint through a channel that takes files of at most --max-mib each (the GPU machine
returns files of up to 16 MiB): `split` writes the weights and run metadata, without the optimizer
moments, as NAME.partK.pt; `join` puts them back together as a checkpoint train.py and export_onnx.py read.

  python3 -m training.gpu.checkpoint_parts split runs/gpu/sam2rad/checkpoint.pt $OUT/sam2rad
  /usr/bin/python3 -m training.gpu.checkpoint_parts join runs/gpu-sam2rad/checkpoint.pt out/sam2rad.part*.pt
"""
import argparse

import torch


def split(checkpoint: str, prefix: str, max_mib: float, half: bool) -> None:
    ckpt = torch.load(checkpoint, map_location="cpu", weights_only=False)
    meta = {k: v for k, v in ckpt.items() if k not in ("state_dict", "optimizer")}
    meta["weights_dtype"] = "float16" if half else "float32"
    parts, size = [{}], 0
    for name, tensor in ckpt["state_dict"].items():
        tensor = tensor.half() if half and tensor.is_floating_point() else tensor
        nbytes = tensor.numel() * tensor.element_size()
        if parts[-1] and size + nbytes > max_mib * 2**20:
            parts.append({})
            size = 0
        parts[-1][name] = tensor.contiguous()
        size += nbytes
    for k, part in enumerate(parts):
        torch.save({"meta": meta if k == 0 else None, "part": k, "of": len(parts), "state_dict": part},
                   f"{prefix}.part{k}.pt")
    print(f"{checkpoint} -> {len(parts)} parts ({meta['weights_dtype']})")


def join(checkpoint: str, part_files: list[str]) -> None:
    parts = sorted((torch.load(p, map_location="cpu") for p in part_files), key=lambda p: p["part"])
    if [p["part"] for p in parts] != list(range(parts[0]["of"])):
        raise SystemExit(f"expected parts 0..{parts[0]['of'] - 1}, got {[p['part'] for p in parts]}")
    state = {}
    for p in parts:
        state.update({k: v.float() if v.is_floating_point() else v for k, v in p["state_dict"].items()})
    torch.save({**parts[0]["meta"], "state_dict": state}, checkpoint)
    print(f"{len(parts)} parts -> {checkpoint}")


def main():
    ap = argparse.ArgumentParser(prog="python3 -m training.gpu.checkpoint_parts", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("split")
    s.add_argument("checkpoint")
    s.add_argument("prefix")
    s.add_argument("--max-mib", type=float, default=15.0)
    s.add_argument("--half", action="store_true", help="store float weights as float16 (half the size)")
    j = sub.add_parser("join")
    j.add_argument("checkpoint")
    j.add_argument("parts", nargs="+")
    args = ap.parse_args()
    if args.command == "split":
        split(args.checkpoint, args.prefix, args.max_mib, args.half)
    else:
        join(args.checkpoint, args.parts)


if __name__ == "__main__":
    main()
