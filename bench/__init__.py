"""Data generator and benchmark runner for the performance budgets of DESIGN.md §5."""
