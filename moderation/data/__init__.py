"""Training and evaluation data: loaders for the public datasets and our own reviews."""
