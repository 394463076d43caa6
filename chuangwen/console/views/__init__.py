"""The three administrators' pages, one module each (三员分立): `system` for the system
administrator, `security` for the security administrator, `audit` for the auditor."""
