"""Model configuration. The manifest records these values; the runtime reads shapes from it."""
from dataclasses import asdict, dataclass, field


@dataclass
class ModelConfig:
    image_size: int = 256  # S: input is letterboxed to S x S
    encoder_widths: tuple = (32, 64, 128)  # channels at strides 4, 8, 16
    encoder_depths: tuple = (2, 2, 3)  # conv blocks per stage
    encoder_global_attention: int = 1  # transformer blocks at stride 16
    embed_dim: int = 256  # SAM2 image embedding channels
    memory_dim: int = 64  # SAM2 memory channels
    memory_frames: int = 5  # slot 0 = conditioning frame, 1.. = most recent frames
    memory_pool: int = 2  # memory features are average-pooled by this factor (CPU budget)
    memory_layers: int = 2
    memory_locality: bool = True  # distance-biased cross-attention to the memory (memory_attention.py)
    decoder_depth: int = 2
    num_mask_tokens: int = 4  # 1 single-mask output + 3 multimask outputs (SAM)
    ppn_queries: int = 10  # learned query tokens per class: 2 box + 8 prompt tokens
    ppn_blocks: int = 2
    classes: list = field(default_factory=lambda: ["fetal_head", "lumbar_bone", "hip_bone"])
    pixel_mean: tuple = (0.2, 0.2, 0.2)  # of [0, 1] grey values
    pixel_std: tuple = (0.2, 0.2, 0.2)

    @staticmethod
    def full_size() -> "ModelConfig":
        """SAM2-tiny-class sizes on the same code (22M parameters; SAM2-tiny has 39M): SAM2's 1024 input, a
        wider and deeper encoder with six global-attention blocks over the 64x64 grid, and SAM2's memory
        (7 frames of 64x64 = 4096 tokens each, no pooling, 4 layers). Exported randomly initialised
        (`export_onnx.py --preset full-size`) to measure GPU speed; it is never trained."""
        return ModelConfig(image_size=1024, encoder_widths=(96, 192, 384), encoder_depths=(2, 3, 7),
                           encoder_global_attention=6, memory_frames=7, memory_pool=1, memory_layers=4)

    @property
    def embed_size(self) -> int:
        return self.image_size // 16

    @property
    def mask_size(self) -> int:
        return self.image_size // 4

    @property
    def memory_size(self) -> int:
        return self.embed_size // self.memory_pool

    def to_dict(self) -> dict:
        d = asdict(self)
        d.update(embed_size=self.embed_size, mask_size=self.mask_size, memory_size=self.memory_size)
        return d

    @staticmethod
    def from_dict(d: dict) -> "ModelConfig":
        keys = ModelConfig.__dataclass_fields__.keys()
        # Configurations written before the memory's locality bias (releases up to 2.6.x) lack the key.
        cfg = ModelConfig(**{"memory_locality": False, **{k: v for k, v in d.items() if k in keys}})
        cfg.encoder_widths = tuple(cfg.encoder_widths)
        cfg.encoder_depths = tuple(cfg.encoder_depths)
        return cfg
