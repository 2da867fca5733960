"""Facilities: small SimPy components that never import each other; the builders wire them."""
