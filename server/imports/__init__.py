"""Importing files into the central store.

    reader             CSV / XLSX bytes or path -> Table of numbered rows keyed by canonical columns
    catalogue_import   plan (validate everything, write nothing) -> report -> apply (after confirmation)
    staging            uploads kept between the back office's dry run and its confirmation (1 hour)
    staged_import      the back office's flow over both: summary, fingerprint, commit only the plan shown

Nothing of a file is committed until ``catalogue_import.apply`` is called, and a plan with rejected
rows is committed only when the caller says so (``accept_partial``). ``erp import`` drives both.
"""
