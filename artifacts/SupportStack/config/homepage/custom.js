// No custom scripts.
