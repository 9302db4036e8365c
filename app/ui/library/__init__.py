"""The Library page: the catalog table, the detail panel, imports, deletes and the catalog's background work."""
