"""The tutor domain: rounds, selection and stats. Plain Python: it never imports telegram."""
