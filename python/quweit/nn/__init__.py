"""Weightless layers (thermometer, LUT layers trained with EFD, group sum) and the LUT FFN."""
from .efd import EFD_BETA, MAX_FAN_IN, efd_alpha, efd_lookup, efd_table_grad, lut_addresses
from .lut import GroupSum, LUTLayer, LutFFN, arange_mapping, random_mapping
from .thermometer import Thermometer, fit_thresholds

__all__ = ["Thermometer", "fit_thresholds", "LUTLayer", "GroupSum", "LutFFN", "efd_lookup",
           "efd_table_grad", "efd_alpha", "EFD_BETA", "MAX_FAN_IN", "lut_addresses",
           "random_mapping", "arange_mapping", "clamp_luts_"]


def clamp_luts_(module) -> None:
    """Clamp every LUT table of ``module`` to [-1, 1] (call after each optimiser step)."""
    for m in module.modules():
        if isinstance(m, LUTLayer):
            m.clamp_()
