"""Quiz banks: the model, the YAML loader and checker, and answer grading."""
