"""Stock: movement kinds and reason codes, arithmetic, transfers, receipts, stocktakes."""
