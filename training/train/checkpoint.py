"""Checkpoints as train.py writes them: the model kind, its configuration, the weights and run metadata."""
import torch
from torch import nn

from training.model.config import ModelConfig
from training.model.model import Sam2Rad
from training.model.unet import UNet


def load_model(path: str, kind: str | None = None) -> tuple[nn.Module, ModelConfig, dict]:
    """-> (the model in eval mode, its config, the whole checkpoint). `kind` ("sam2rad" or "unet"), when
    given, is what the caller needs: another kind is refused by name."""
    ckpt = torch.load(path, map_location="cpu", weights_only=False)
    if kind and ckpt["kind"] != kind:
        raise SystemExit(f"{path}: a {ckpt['kind']} checkpoint, not {kind}")
    cfg = ModelConfig.from_dict(ckpt["config"])
    model = Sam2Rad(cfg) if ckpt["kind"] == "sam2rad" else UNet(len(cfg.classes))
    model.load_state_dict(ckpt["state_dict"])
    return model.eval(), cfg, ckpt


def lineage(ckpt: dict) -> list[dict]:
    """-> the stages that made a checkpoint, oldest first, ending with its own run: what a checkpoint
    built from it records as `earlier_stages`."""
    own = {k: ckpt[k] for k in ("steps", "budget_seconds", "budget_clock", "args", "imported_from") if k in ckpt}
    return [*ckpt.get("earlier_stages", []), own]
