"""Facilities: small SimPy components that never import each other; the World wires them."""
