"""Developer tooling that is not part of the product: not packaged (pyproject's packages.find) nor bundled
(installer/modelwerk.spec), and never imported by it (an import-linter contract)."""
