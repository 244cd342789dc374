"""Imports (SPEC §6): costs, service requests and servers with utilisation from CSV or XLSX files, as undoable batches."""
