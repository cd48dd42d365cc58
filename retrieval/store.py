"""Vector stores (INTERFACE — implementation pending, see helper task)."""
