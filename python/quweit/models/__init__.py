"""QuWeiT models and their dense twins."""
from .common import MLP, Attention, Block
from .gpt import GPT, GPT_DEFAULTS, DenseGPT, QuWeiTGPT
from .vit import VIT_DEFAULTS, DenseViT, QuWeiTViT, ViT


def build_model(config: dict):
    """Rebuild a model from its ``config`` dict (as stored in checkpoints)."""
    arch = config.get("arch")
    if arch == "vit":
        return ViT(**config)
    if arch == "gpt":
        return GPT(**config)
    raise ValueError(f"unknown arch {arch!r} in model config: expected 'vit' or 'gpt'")


__all__ = ["ViT", "QuWeiTViT", "DenseViT", "GPT", "QuWeiTGPT", "DenseGPT", "build_model",
           "Attention", "MLP", "Block", "VIT_DEFAULTS", "GPT_DEFAULTS"]
