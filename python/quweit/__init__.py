"""QuWeiT: Quasi-Weightless Transformers in PyTorch (training side of the QuWeiT compiler)."""
__version__ = "0.1.0"
