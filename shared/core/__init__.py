"""Core domain primitives: errors, ids, quantities, clocks."""
