"""The trained classifier: features, training, thresholds and the persisted artifact."""
